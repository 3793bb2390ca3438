import CarewatchCore
import HTTPEngine

/// `POST /v1/import` (the export document, the project's CSVs, or DfE's and Ofsted's files
/// as published; all or nothing) and `GET /v1/export` (the whole store, streamed).
struct BulkRoutes {
    let context: APIContext
    let importBodyLimit: Int

    func register(in router: inout Router) {
        router.add(.post, "/v1/import", bodyLimit: importBodyLimit, context.write(importDocument))
        router.add(.get, "/v1/export", exportDocument)
    }

    @Sendable func importDocument(_ request: HTTPRequest, _ store: Store) throws -> HTTPResponse {
        _ = try QueryReader(request, allowed: [])
        let mediaType = RequestBody.mediaType(request)
        guard let mediaType, ["application/json", "text/csv"].contains(mediaType) else {
            throw APIError(.unsupportedMediaType, "import takes application/json (the export document) or text/csv, not \(mediaType ?? "untyped")")
        }
        guard !request.body.isEmpty else { throw APIError(.badRequest, "the request needs a body to import") }
        let summary = try BulkImport.apply(request.body, mediaType: mediaType, to: store)
        var writer = JSONWriter(pretty: request.query["pretty"] == "true")
        summary.writeJSON(into: &writer)
        return OperationsRoutes.json(.ok, writer.bytes)
    }

    @Sendable func exportDocument(_ request: HTTPRequest, _ responder: Responder) {
        do throws(APIError) {
            _ = try QueryReader(request, allowed: [])
            let state = try context.store.state
            let etag = "\"export-\(state.generation)\""
            var headers = HTTPHeaders()
            headers.set("ETag", etag)
            headers.set("Cache-Control", CacheableResponse.cacheControl)
            if ETag.noneMatchHits(request.headers["If-None-Match"], etag: etag) {
                responder.respond(HTTPResponse(status: .notModified, headers: headers))
                return
            }
            headers.set("Content-Type", "application/json")
            headers.set("Content-Disposition", "attachment; filename=\"carewatch-export-\(state.generation).json\"")
            responder.respond(HTTPResponse(status: .ok, headers: headers, body: .stream(ChunkSource(Exporter.stream(state)))))
        } catch {
            responder.respond(error.response)
        }
    }
}

/// Import as one store transaction: parse against the state it will apply to, check what
/// only the store can check (which councils exist, which slugs are taken), then hand every
/// record to the store in one durable change, so a bad row leaves nothing behind.
enum BulkImport {
    struct Summary: Sendable {
        var format: String
        var councils: Int
        var inspections: Int
        var workforce: Int
        var skipped: [ImportSkip]

        init(_ document: ImportDocument) {
            format = document.format?.rawValue ?? "unknown"
            councils = document.councils.count
            inspections = document.inspections.count
            workforce = document.workforce.count
            skipped = document.skipped
        }

        func writeJSON(into writer: inout JSONWriter) {
            writer.beginObject()
            writer.field("format", format)
            writer.key("imported")
            writer.beginObject()
            writer.field("councils", councils)
            writer.field("inspections", inspections)
            writer.field("workforce", workforce)
            writer.endObject()
            writer.field("skipped_count", skipped.count)
            writer.key("skipped")
            writer.beginArray()
            for skip in skipped.prefix(1000) {
                writer.beginObject()
                writer.field("row", skip.row)
                writer.field("reason", skip.reason)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
        }
    }

    /// Parses against the state the import applies to and commits it as one durable change.
    static func apply(_ bytes: [UInt8], mediaType: String, to store: Store) throws -> Summary {
        try store.write { state throws in
            let document = try parse(bytes, mediaType: mediaType, state: state)
            return (changes(document), Summary(document))
        }.result
    }

    static func parse(_ bytes: [UInt8], mediaType: String, state: StoreState) throws(APIError) -> ImportDocument {
        do {
            return try Importer.parse(bytes, contentType: mediaType, existing: state)
        } catch {
            let issues = error.issues.map { APIError.Issue(field: $0.field, message: $0.message, row: $0.row) }
            let detail = "nothing was imported: \(error.issues.count + error.omitted) problem(s), first: \(error.issues.first?.description ?? "unknown")"
            throw APIError(.unprocessableContent, detail, issues: issues)
        }
    }

    static func changes(_ document: ImportDocument) -> [Change] {
        document.councils.map { Change.putCouncil($0) }
            + document.inspections.map { Change.putInspection($0) }
            + document.workforce.map { Change.putWorkforce($0) }
    }
}
