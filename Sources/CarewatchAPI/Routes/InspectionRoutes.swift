import CarewatchCore
import HTTPEngine

/// Inspections: all of them (`/v1/inspections`), one council's (`/v1/councils/{council}/inspections`,
/// newest first) and one by id.
struct InspectionRoutes {
    let context: APIContext

    static let filterParameters: Set<String> = ["framework", "overall", "published_from", "published_to"]

    func register(in router: inout Router) {
        router.add(.get, "/v1/inspections", context.read(listAll))
        router.add(.get, "/v1/councils/{council}/inspections", context.read(listForCouncil))
        router.add(.post, "/v1/councils/{council}/inspections", context.write(create))
        router.add(.get, "/v1/inspections/{id}", context.read(show))
        router.add(.patch, "/v1/inspections/{id}", context.write(patch))
        router.add(.delete, "/v1/inspections/{id}", context.write(delete))
    }

    @Sendable func listAll(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let reader = try QueryReader(request, allowed: QueryReader.listParameters.union(InspectionRoutes.filterParameters).union(["council"]))
        var query = try InspectionRoutes.query(reader)
        if let key = try reader.string("council", maxLength: 100) { query.council = try context.councilFilter(key, in: state) }
        return try list(request, state, query)
    }

    @Sendable func listForCouncil(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let council = try context.council(request, in: state)
        let reader = try QueryReader(request, allowed: QueryReader.listParameters.union(InspectionRoutes.filterParameters))
        var query = try InspectionRoutes.query(reader)
        query.council = council.code
        return try list(request, state, query)
    }

    private static func query(_ reader: QueryReader) throws(APIError) -> InspectionQuery {
        var query = InspectionQuery()
        query.framework = try reader.choice("framework", Framework.self)
        query.overall = try reader.choice("overall", Grade.self)
        query.publishedFrom = try reader.date("published_from")
        query.publishedTo = try reader.date("published_to")
        if let from = query.publishedFrom, let to = query.publishedTo, to < from {
            throw .badParameter("published_to", "must not be before published_from")
        }
        query.sort = try reader.sort(allowed: InspectionQuery.sortFields)
        (query.limit, query.cursor) = try reader.page()
        return query
    }

    private func list(_ request: HTTPRequest, _ state: StoreState, _ query: InspectionQuery) throws(APIError) -> HTTPResponse {
        try context.listResponse(request, state) { () throws(QueryError) in try state.inspections(query) } json: { inspection, writer in
            inspection.writeJSON(into: &writer)
        } csv: { inspections in
            Exporter.inspectionsCSV(inspections)
        }
    }

    @Sendable func show(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        _ = try QueryReader(request, allowed: [])
        let inspection = try context.inspection(request, in: state)
        let entry = try context.inspectionEntry(inspection, pretty: representation.pretty)
        return CacheableResponse.make(entry, representation: representation, request: request)
    }

    @Sendable func create(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        let representation = try Representation(writing: request)
        var body = try RequestBody.object(request)
        let key = request.pathParameters["council"] ?? ""
        let (id, state) = try await store.write { state throws in
            let council = try context.council(named: key, in: state)
            if let named = body["council"]?.stringValue, state.council(named: named)?.code != council.code {
                throw APIError.invalid([FieldError(field: "council", message: "must name the council in the path (\(council.code))")])
            }
            body["council"] = .string(council.code)
            var inspection = try Inspection(json: .object(body))
            if inspection.id.isEmpty {
                inspection.id = InspectionID.generate(existing: { state.inspection(id: $0) != nil })
            } else if state.inspection(id: inspection.id) != nil {
                throw APIError(.conflict, "inspection \(inspection.id) already exists", errors: [FieldError(field: "id", message: "already exists")])
            }
            return ([.putInspection(inspection)], inspection.id)
        }
        let stored = try context.inspection(id: id, in: state)
        return WrittenResponse.make(try context.inspectionEntry(stored, pretty: representation.pretty), status: .created, location: "/v1/inspections/\(id)")
    }

    @Sendable func patch(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        let representation = try Representation(writing: request)
        let patch = try RequestBody.object(request, kind: .mergePatch)
        let id = request.pathParameters["id"] ?? ""
        let (_, state) = try await store.write { state throws in
            let current = try context.inspection(id: id, in: state)
            try context.checkPreconditions(request, current: ETag.version(.init(major: current.version)))
            var writer = JSONWriter()
            current.writeJSON(into: &writer)
            let patched = MergePatch.apply(.object(patch), to: try JSONParser.parse(writer.bytes))
            let replacement = try Inspection(json: patched)
            var errors: [FieldError] = []
            if replacement.id != current.id { errors.append(FieldError(field: "id", message: "must stay \(current.id)")) }
            if replacement.council != current.council, state.council(named: replacement.council) == nil {
                errors.append(FieldError(field: "council", message: "no council is named \(replacement.council)"))
            }
            guard errors.isEmpty else { throw APIError.invalid(errors) }
            var resolved = replacement
            resolved.council = state.council(named: replacement.council)?.code ?? current.council
            return ([.putInspection(resolved)], ())
        }
        return WrittenResponse.make(try context.inspectionEntry(try context.inspection(id: id, in: state), pretty: representation.pretty), status: .ok)
    }

    @Sendable func delete(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        _ = try QueryReader(request, allowed: [], representation: false)
        let id = request.pathParameters["id"] ?? ""
        _ = try await store.write { state throws in
            let current = try context.inspection(id: id, in: state)
            try context.checkPreconditions(request, current: ETag.version(.init(major: current.version)))
            return ([.deleteInspection(id: id)], ())
        }
        return HTTPResponse(status: .noContent)
    }
}

extension APIContext {
    func inspection(_ request: HTTPRequest, in state: StoreState) throws(APIError) -> Inspection {
        try inspection(id: request.pathParameters["id"] ?? "", in: state)
    }

    func inspection(id: String, in state: StoreState) throws(APIError) -> Inspection {
        guard let inspection = state.inspection(id: id) else { throw .notFound("inspection '\(id)'") }
        return inspection
    }

    func inspectionEntry(_ inspection: Inspection, pretty: Bool) throws(APIError) -> EncodedCache.Entry {
        try cache.resource("inspection:\(inspection.id)", stamp: .init(major: inspection.version), pretty: pretty) { writer in
            inspection.writeJSON(into: &writer)
        }
    }
}
