import CarewatchCore
import HTTPEngine

/// What changed, when and why: the releases imported (`/v1/releases`), the revisions of
/// published figures (`/v1/revisions`, JSON or CSV), and the versions of one council, one
/// workforce row and one inspection. All are read from the store's history, so they are as
/// far back as `--history-retention` keeps, and cached per store generation like lists.
struct HistoryRoutes {
    let context: APIContext

    func register(in router: inout Router) {
        router.add(.get, "/v1/releases", context.read(releases))
        router.add(.get, "/v1/releases/{release}", context.read(release))
        router.add(.get, "/v1/revisions", context.read(revisions))
        router.add(.get, "/v1/councils/{council}/history", context.read(councilHistory))
        router.add(.get, "/v1/councils/{council}/workforce/{year}/history", context.read(workforceHistory))
        router.add(.get, "/v1/inspections/{id}/history", context.read(inspectionHistory))
    }

    // MARK: releases

    @Sendable func releases(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let reader = try QueryReader(request, allowed: ["limit", "cursor"])
        let (limit, cursor) = try reader.page()
        return try context.listResponse(request, state) { () throws(QueryError) in
            try state.releases(limit: limit, cursor: cursor)
        } json: { release, writer in
            release.writeJSON(into: &writer)
        } csv: { releases in
            HistoryCSV.releases(releases)
        }
    }

    @Sendable func release(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        _ = try QueryReader(request, allowed: [])
        let id = request.pathParameters["release"] ?? ""
        guard let release = state.release(id: id) else { throw .notFound("release '\(id)'") }
        let entry = try context.cache.resource("release:\(id)", stamp: .init(major: release.version), pretty: representation.pretty) { writer in
            release.writeJSON(into: &writer)
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }

    // MARK: revisions

    @Sendable func revisions(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let reader = try QueryReader(request, allowed: ["council", "measure", "release", "since", "limit", "cursor"])
        var query = RevisionQuery()
        if let key = try reader.string("council", maxLength: 100) { query.council = try context.councilFilter(key, in: state) }
        if let id = try reader.string("measure", maxLength: 100) {
            guard let measure = MeasureCatalog.measure(id) else {
                throw .badParameter("measure", "names no measure: GET /v1/measures lists them")
            }
            guard !measure.isComputed else {
                throw .badParameter("measure", "\(id) is computed by carewatch, not published: revisions are of published figures")
            }
            query.measure = measure
        }
        if let id = try reader.string("release", maxLength: 200) {
            guard state.release(id: id) != nil else { throw .badParameter("release", "names no release: GET /v1/releases lists them") }
            query.release = id
        }
        query.since = try HistoryRoutes.sequence(reader, "since")
        let (limit, cursor) = try reader.page()
        return try context.listResponse(request, state) { () throws(QueryError) in
            try state.revisions(query, limit: limit, cursor: cursor)
        } json: { revision, writer in
            HistoryJSON.revision(revision, state: state, into: &writer)
        } csv: { revisions in
            HistoryCSV.revisions(revisions, state: state)
        }
    }

    /// A change sequence (`since=`): 0 or more.
    static func sequence(_ reader: QueryReader, _ name: String) throws(APIError) -> UInt64? {
        try reader.integer(name, in: 0...Int.max).map(UInt64.init)
    }

    // MARK: versions

    @Sendable func councilHistory(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let council = try context.council(request, in: state)
        let reader = try QueryReader(request, allowed: ["limit", "cursor"])
        let (limit, cursor) = try reader.page(whole: false)
        return try jsonList(request, state) { () throws(QueryError) in
            try state.councilVersions(council, limit: limit, cursor: cursor)
        } json: { version, writer in
            HistoryJSON.councilVersion(version, into: &writer)
        }
    }

    @Sendable func workforceHistory(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let council = try context.council(request, in: state)
        let year = try WorkforceRoutes.year(request)
        return try recordHistory(request, state, key: .workforce(council: council.code, year: year),
                                 missing: "the workforce row of \(council.code) for \(year)")
    }

    @Sendable func inspectionHistory(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let id = request.pathParameters["id"] ?? ""
        // A deleted inspection keeps its history: find its council there.
        let council = state.inspection(id: id)?.council ?? state.councilOfInspection(inHistory: id)
        guard let council else { throw .notFound("inspection '\(id)'") }
        return try recordHistory(request, state, key: .inspection(id: id, council: council), missing: "inspection '\(id)'")
    }

    /// The versions of one record, newest first; 404 when the record is not held and history
    /// holds nothing of it (a deleted record's history is still answered).
    private func recordHistory(_ request: HTTPRequest, _ state: StoreState, key: RecordKey, missing: String) throws(APIError) -> HTTPResponse {
        let reader = try QueryReader(request, allowed: ["limit", "cursor"])
        let (limit, cursor) = try reader.page(whole: false)
        guard state.holds(key) || state.hasHistory(of: key) else { throw .notFound(missing) }
        return try jsonList(request, state) { () throws(QueryError) in
            try state.versions(of: key, limit: limit, cursor: cursor)
        } json: { version, writer in
            HistoryJSON.recordVersion(version, into: &writer)
        }
    }

    /// A JSON-only list (history has no flat CSV form), cached per store generation.
    private func jsonList<T>(_ request: HTTPRequest, _ state: StoreState, query run: () throws(QueryError) -> Page<T>,
                             json item: (T, inout JSONWriter) -> Void) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        let entry = try context.cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation)) { () throws(APIError) in
            Listing.render(try Listing.page(run), representation, request: request, json: item, csv: { _ in [] })
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }
}

/// The JSON of history answers.
enum HistoryJSON {
    static func revision(_ revision: Revision, state: StoreState, into writer: inout JSONWriter) {
        let event = revision.event
        let change = revision.change
        writer.beginObject()
        writer.key("seq")
        writer.value(event.sequence)
        writer.key("version")
        writer.value(event.commit.version)
        writer.field("at", event.commit.at.description)
        writer.field("release", event.commit.origin?.release?.id)
        writer.field("dataset", revision.dataset)
        writer.field("area", revision.area)
        writer.field("area_name", state.areaName(of: revision))
        writer.field("year", revision.year)
        writer.field("measure", change.field)
        writer.key("old")
        writer.value(change.old)
        writer.key("new")
        writer.value(change.new)
        writer.field("href", event.key.href)
        writer.key("made_by")
        madeBy(event.commit, into: &writer)
        writer.endObject()
    }

    static func councilVersion(_ version: CouncilVersion, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("version")
        writer.value(version.commit.version)
        writer.field("at", version.commit.at.description)
        writer.key("made_by")
        madeBy(version.commit, into: &writer)
        writer.key("changes")
        writer.beginArray()
        for event in version.events {
            writer.beginObject()
            writer.key("seq")
            writer.value(event.sequence)
            writer.key("record")
            event.key.writeJSON(into: &writer)
            writer.field("href", event.action == .deleted ? nil : event.key.href)
            writer.field("action", event.action.rawValue)
            writer.key("fields")
            FieldChange.write(event.fields, into: &writer)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    static func recordVersion(_ version: RecordVersion, into writer: inout JSONWriter) {
        let event = version.event
        writer.beginObject()
        writer.key("version")
        writer.value(event.commit.version)
        writer.key("seq")
        writer.value(event.sequence)
        writer.field("at", event.commit.at.description)
        writer.field("action", event.action.rawValue)
        writer.key("fields")
        FieldChange.write(version.fields, into: &writer)
        writer.key("made_by")
        madeBy(event.commit, into: &writer)
        writer.endObject()
    }

    static func madeBy(_ commit: HistoryCommit, into writer: inout JSONWriter) {
        if let origin = commit.origin { origin.writeJSON(into: &writer) } else { writer.null() }
    }
}
