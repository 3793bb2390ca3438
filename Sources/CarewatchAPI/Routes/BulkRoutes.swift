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
        let syntax: ImportSyntax
        switch mediaType {
        case "application/json": syntax = .json
        case "text/csv": syntax = .csv
        default: throw APIError(.unsupportedMediaType, "import takes application/json (the export document) or text/csv, not \(mediaType ?? "untyped")")
        }
        guard !request.body.isEmpty else { throw APIError(.badRequest, "the request needs a body to import") }
        if syntax == .csv, ImportSyntax.detect(request.body) == .json {
            throw APIError(.unprocessableContent, "the body is JSON, but Content-Type says text/csv: send it as application/json",
                           errors: [FieldError(field: "Content-Type", message: "text/csv does not match a JSON body")])
        }
        let summary: BulkImport.Summary
        do {
            summary = try BulkImport.apply(request.body, as: syntax, to: store)
        } catch let error as ImportError {
            throw APIError(importError: error)
        }
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
    /// Throws `ImportError` for a file that does not import (nothing is applied), and the
    /// store's errors for a change it refuses or cannot make durable.
    static func apply(_ bytes: [UInt8], as syntax: ImportSyntax?, to store: Store) throws -> Summary {
        try store.write { state throws in
            let document = try Importer.parse(bytes, as: syntax, existing: state)
            return (changes(document), Summary(document))
        }.result
    }

    static func changes(_ document: ImportDocument) -> [Change] {
        document.councils.map { Change.putCouncil($0) }
            + document.inspections.map { Change.putInspection($0) }
            + document.workforce.map { Change.putWorkforce($0) }
    }
}
