import CarewatchCore
import HTTPEngine

/// `/v1/councils` and `/v1/councils/{council}`: list, read, create, replace, merge-patch and
/// delete councils, addressed by code, former code, la_code or slug.
struct CouncilRoutes {
    let context: APIContext

    static let listParameters: Set<String> = QueryReader.listParameters.union(["region", "kind", "rating", "q", "include", "model"])

    func register(in router: inout Router) {
        router.add(.get, "/v1/councils", context.read(list))
        router.add(.post, "/v1/councils", context.write(create))
        router.add(.get, "/v1/councils/{council}", context.read(show))
        router.add(.put, "/v1/councils/{council}", context.write(replace))
        router.add(.patch, "/v1/councils/{council}", context.write(patch))
        router.add(.delete, "/v1/councils/{council}", context.write(delete))
    }

    // MARK: Reads

    @Sendable func list(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let reader = try QueryReader(request, allowed: CouncilRoutes.listParameters)
        var query = CouncilQuery()
        query.region = try reader.region()
        query.kind = try reader.choice("kind", CouncilKind.self)
        query.rating = try reader.choice("rating", Grade.self)
        query.q = try reader.string("q", maxLength: 200)
        query.sort = try reader.sort(allowed: CouncilQuery.sortFields)
        (query.limit, query.cursor) = try reader.page()
        let includes = try CouncilRoutes.includes(reader, state)
        if !includes.isEmpty, try Representation(request, csvAllowed: true).format == .csv {
            throw .badParameter("include", "applies to JSON answers; the CSV's columns are fixed")
        }
        return try context.listResponse(request, state) { () throws(QueryError) in try state.councils(query) } json: { council, writer in
            if includes.isEmpty {
                context.councilJSON(council, state: state, into: &writer)
            } else {
                state.writeCouncil(council, includes: includes, into: &writer)
            }
        } csv: { councils in
            CSVExport.councils(councils, latest: { state.latestInspection(ofCouncil: $0.code) })
        }
    }

    @Sendable func show(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        let reader = try QueryReader(request, allowed: ["include", "model"])
        let council = try context.council(request, in: state)
        let includes = try CouncilRoutes.includes(reader, state)
        guard !includes.isEmpty else {
            let entry = try context.councilEntry(council, state: state, pretty: representation.pretty)
            return CacheableResponse.make(entry, representation: representation, request: request)
        }
        // Expanded, the answer depends on other records too (its workforce rows, neighbour
        // lists, other councils' names), so it is cached per store generation and tagged by
        // its bytes: one response, one ETag.
        let entry = try context.cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation)) { () throws(APIError) in
            var writer = JSONWriter(pretty: representation.pretty, capacity: 4096)
            state.writeCouncil(council, includes: includes, into: &writer)
            return writer.bytes
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }

    // MARK: Writes

    @Sendable func create(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        let representation = try Representation(writing: request)
        let council = try Council(json: .object(RequestBody.object(request)))
        let (_, state) = try await store.write { state throws in
            try CouncilRoutes.checkUnique(council, in: state, replacing: nil)
            return ([.putCouncil(council)], ())
        }
        let stored = try context.council(named: council.code, in: state)
        return WrittenResponse.make(try context.councilEntry(stored, state: state, pretty: representation.pretty), status: .created,
                                    location: "/v1/councils/\(stored.code)")
    }

    @Sendable func replace(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        let representation = try Representation(writing: request)
        let body = try RequestBody.object(request)
        let replacement = try Council(json: .object(body))
        return try await update(request, store, representation) { _ in replacement }
    }

    /// Fields the server derives: a GET answer may carry them back in a PUT (they are
    /// ignored there), but a patch that sets them asks for something that cannot be done.
    static let derivedFields = ["latest_inspection", "updated_at"]

    @Sendable func patch(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        let representation = try Representation(writing: request)
        let patch = try RequestBody.object(request, kind: .mergePatch)
        return try await update(request, store, representation) { current in
            let derived = CouncilRoutes.derivedFields.filter { patch[$0] != nil }
            guard derived.isEmpty else {
                throw APIError.invalid(derived.map { FieldError(field: $0, message: "is derived by the server and cannot be changed") })
            }
            var writer = JSONWriter()
            current.writeJSON(into: &writer, latest: nil)
            let document = try JSONParser.parse(writer.bytes)
            return try Council(json: MergePatch.apply(.object(patch), to: document))
        }
    }

    /// PUT and PATCH: the council's code is its identity, so a body may not change it. A
    /// body that changes nothing is answered like any other, with the unchanged council
    /// and its unchanged ETag (the store makes no new version).
    private func update(_ request: HTTPRequest, _ store: Store, _ representation: Representation,
                        _ makeReplacement: @escaping @Sendable (Council) throws -> Council) async throws -> HTTPResponse {
        let key = request.pathParameters["council"] ?? ""
        let (code, state) = try await store.write { state throws in
            let current = try context.council(named: key, in: state)
            try context.checkPreconditions(request, current: context.councilETag(current, state: state))
            let replacement = try makeReplacement(current)
            guard replacement.code == current.code else {
                throw APIError.invalid([FieldError(field: "code", message: "must stay \(current.code): a council's code is its identity")])
            }
            try CouncilRoutes.checkUnique(replacement, in: state, replacing: current.code)
            return ([.putCouncil(replacement)], current.code)
        }
        let stored = try context.council(named: code, in: state)
        return WrittenResponse.make(try context.councilEntry(stored, state: state, pretty: representation.pretty), status: .ok)
    }

    @Sendable func delete(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        _ = try QueryReader(request, allowed: [], representation: false)
        let key = request.pathParameters["council"] ?? ""
        _ = try await store.write { state throws in
            let current = try context.council(named: key, in: state)
            try context.checkPreconditions(request, current: context.councilETag(current, state: state))
            return ([.deleteCouncil(code: current.code)], ())
        }
        return HTTPResponse(status: .noContent)
    }

    /// `include=latest_inspection,latest_workforce,neighbours` and, with neighbours, `model`.
    static func includes(_ reader: QueryReader, _ state: StoreState) throws(APIError) -> CouncilIncludes {
        var includes = CouncilIncludes()
        if let text = try reader.string("include") {
            var seen: Set<String> = []
            for name in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard CouncilIncludes.names.contains(name) else {
                    throw .badParameter("include", "names '\(name)'; it takes \(CouncilIncludes.names.joined(separator: ", ")), comma-separated")
                }
                guard seen.insert(name).inserted else { throw .badParameter("include", "names \(name) twice") }
            }
            includes.latestInspection = seen.contains("latest_inspection")
            includes.latestWorkforce = seen.contains("latest_workforce")
            if seen.contains("neighbours") { includes.neighbourModel = try ComparisonRoutes.model(reader, state) }
        }
        if includes.neighbourModel == nil, try reader.string("model") != nil {
            throw .badParameter("model", "applies only with include=neighbours")
        }
        return includes
    }

    /// 409 when a new or changed council would share a name with another: codes (current and
    /// former), la_code and slug each address exactly one council.
    static func checkUnique(_ council: Council, in state: StoreState, replacing code: String?) throws(APIError) {
        var clashes: [FieldError] = []
        func clash(_ key: String, _ field: String) {
            if let other = state.council(named: key), other.code != code {
                clashes.append(FieldError(field: field, message: "\(key) already names council \(other.code)"))
            }
        }
        clash(council.code, "code")
        clash(council.slug, "slug")
        clash(String(council.laCode), "la_code")
        for former in council.formerCodes { clash(former, "former_codes") }
        guard clashes.isEmpty else {
            throw APIError(.conflict, clashes.map(\.message).joined(separator: "; "), errors: clashes)
        }
    }
}

extension APIContext {
    func council(_ request: HTTPRequest, in state: StoreState) throws(APIError) -> Council {
        try council(named: request.pathParameters["council"] ?? "", in: state)
    }

    func council(named key: String, in state: StoreState) throws(APIError) -> Council {
        guard let council = state.council(named: key) else { throw .notFound("council '\(key)'") }
        return council
    }

    /// A list's `council=` filter, resolved to the council's code. A name that is no council's
    /// is a 400 naming it: an empty list would look like a council without records.
    func councilFilter(_ key: String, in state: StoreState) throws(APIError) -> String {
        guard let council = state.council(named: key) else {
            throw .badParameter("council", "names no council: '\(key)' is not a code, former code, la_code or slug")
        }
        return council.code
    }

    /// A council's representation changes with its own version and with its latest graded
    /// inspection, so both make up its version stamp.
    func councilStamp(_ council: Council, state: StoreState) -> EncodedCache.Stamp {
        EncodedCache.Stamp(major: council.version, minor: state.latestInspection(ofCouncil: council.code)?.version ?? 0)
    }

    func councilETag(_ council: Council, state: StoreState) -> String {
        ETag.version(councilStamp(council, state: state))
    }

    func councilEntry(_ council: Council, state: StoreState, pretty: Bool) throws(APIError) -> EncodedCache.Entry {
        let stamp = councilStamp(council, state: state)
        return try cache.resource("council:\(council.code)", stamp: stamp, pretty: pretty) { writer in
            council.writeJSON(into: &writer, latest: state.latestInspection(ofCouncil: council.code))
        }
    }

    /// Writes one council into a list. Compact lists splice each council's cached bytes, so
    /// a page of 50 costs 50 look-ups rather than 50 encodings.
    func councilJSON(_ council: Council, state: StoreState, into writer: inout JSONWriter) {
        if !writer.pretty, let entry = try? councilEntry(council, state: state, pretty: false) {
            writer.rawValue(entry.body)
        } else {
            council.writeJSON(into: &writer, latest: state.latestInspection(ofCouncil: council.code))
        }
    }

    /// The preconditions of a write (RFC 9110 §13.2.2, in that order): `If-Match` fails
    /// when the client's copy is not the current one (or there is none); `If-None-Match`
    /// fails when the resource exists (`*`) or is at a version named. Either is a 412, and
    /// nothing is written. `current` is the resource's ETag, nil when it does not exist.
    func checkPreconditions(_ request: HTTPRequest, current: String?) throws(APIError) {
        guard ETag.matchHolds(request.headers["If-Match"], current: current) else {
            throw APIError(.preconditionFailed, "the resource has changed since it was read (If-Match did not match)")
        }
        guard ETag.noneMatchHolds(request.headers["If-None-Match"], current: current) else {
            throw APIError(.preconditionFailed, request.headers["If-None-Match"]?.contains("*") == true
                ? "the resource exists, and If-None-Match: * asks to create it only"
                : "the resource is at a version If-None-Match names")
        }
    }
}
