/// Import and export against the store's current state: the thin layer the API and CLI call.
extension ImportContext {
    public init(_ state: StoreState) {
        self.init(councils: state.councilsAll(), inspections: state.inspectionsAll())
    }
}

extension Importer {
    /// Parses an upload against what the store holds now (councils to resolve, inspections to
    /// recognise as already held).
    public static func parse(
        _ bytes: [UInt8], as syntax: ImportSyntax? = nil, existing state: StoreState, sourceName: String? = nil, neighbourModel: String? = nil
    ) throws(ImportError) -> ImportDocument {
        try parse(bytes, as: syntax, existing: ImportContext(state), sourceName: sourceName, neighbourModel: neighbourModel)
    }
}

extension Exporter {
    /// The export document of `state`, in chunks for `ResponseBody.stream`. Councils by code,
    /// inspections newest first, workforce rows by council then year, figures by dataset, area
    /// and year, neighbour lists by model and council, as the state lists them.
    public static func documentChunks(_ state: StoreState, pretty: Bool = false, chunkSize: Int = defaultChunkSize) -> @Sendable () -> [UInt8]? {
        documentChunks(councils: state.councilsAll(), inspections: state.inspectionsAll(), workforce: state.workforceAll(),
                       figures: state.figuresAll(), neighbours: state.neighbourListsAll(),
                       latest: { state.latestInspection(ofCouncil: $0) }, pretty: pretty, chunkSize: chunkSize)
    }

    /// The name the API and CLI use for `documentChunks(_:)`.
    public static func stream(_ state: StoreState, pretty: Bool = false, chunkSize: Int = defaultChunkSize) -> @Sendable () -> [UInt8]? {
        documentChunks(state, pretty: pretty, chunkSize: chunkSize)
    }

    public static func document(_ state: StoreState) -> [UInt8] {
        document(councils: state.councilsAll(), inspections: state.inspectionsAll(), workforce: state.workforceAll(),
                 figures: state.figuresAll(), neighbours: state.neighbourListsAll(), latest: { state.latestInspection(ofCouncil: $0) })
    }
}
