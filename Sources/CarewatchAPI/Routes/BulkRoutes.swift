import CarewatchCore
import HTTPEngine

/// `POST /v1/import` (the export document, the project's CSVs, or DfE's and Ofsted's files
/// as published; all or nothing) and `GET /v1/export` (the whole store, streamed).
struct BulkRoutes {
    let context: APIContext
    let importBodyLimit: Int

    func register(in router: inout Router) {
        router.add(.post, "/v1/import", bodyLimit: importBodyLimit, context.write(importDocument, startsOnLoop: false))
        router.add(.get, "/v1/export", exportDocument)
    }

    @Sendable func importDocument(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        let reader = try QueryReader(request, allowed: ["model", "source", "published"])
        let model = try reader.string("model")
        if let model, !NeighbourList.isModelID(model) {
            throw APIError.badParameter("model", "must be 1 to 20 lowercase letters, digits or hyphens (a model's year, e.g. 2025)")
        }
        let source = try reader.string("source")
        if let source, source.utf8.count > 200 || source.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "/" })
            || source.unicodeScalars.first!.properties.isWhitespace || source.unicodeScalars.last!.properties.isWhitespace {
            throw APIError.badParameter("source", "must be a file name: at most 200 bytes, no slash or control characters, no white space at either end")
        }
        let published = try reader.date("published")
        if let published, published > context.clock.today {
            throw APIError.badParameter("published", "must not be after today (\(context.clock.today))")
        }
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
            summary = try await BulkImport.apply(request.body, as: syntax, to: store, sourceName: source, neighbourModel: model,
                                                 published: published, made: Origin.current)
        } catch let error as ImportError {
            throw APIError(importError: BulkImport.advising(error, unnamedModel: "give model=2025, or source= a file name with the year"))
        } catch let error as BulkImport.InapplicableOption {
            throw APIError.badParameter(error.option, error.message)
        }
        var writer = JSONWriter(pretty: representation.pretty)
        summary.writeJSON(into: &writer)
        return OperationsRoutes.json(.ok, writer.bytes)
    }

    @Sendable func exportDocument(_ request: HTTPRequest, _ responder: Responder) {
        let representation: Representation
        do throws(APIError) {
            representation = try Representation(request, csvAllowed: false)
            _ = try QueryReader(request, allowed: [])
        } catch {
            return responder.respond(error.response)
        }
        let request = request
        context.withStore(responder) { store in
            let state = store.state
            let etag = "\"export-\(state.generation)\(representation.pretty ? "+pretty" : "")\""
            var headers = HTTPHeaders()
            headers.set("ETag", etag)
            headers.set("Cache-Control", CacheableResponse.cacheControl(for: request))
            if ETag.noneMatchHits(request.headers["If-None-Match"], etag: etag) {
                responder.respond(HTTPResponse(status: .notModified, headers: headers))
                return
            }
            headers.set("Content-Type", "application/json")
            headers.set("Content-Disposition", "attachment; filename=\"carewatch-export-\(state.generation).json\"")
            responder.respond(HTTPResponse(status: .ok, headers: headers, body: .stream(ChunkSource(Exporter.stream(state, pretty: representation.pretty)))))
        }
    }
}

/// Import as one store transaction: parse against the state it will apply to, check what
/// only the store can check (which councils exist, which slugs are taken), then hand every
/// record to the store in one durable change, so a bad row leaves nothing behind.
enum BulkImport {
    struct Summary: Sendable {
        /// Records per collection.
        struct Counts: Sendable {
            var councils = 0
            var inspections = 0
            var workforce = 0
            var figures = 0
            var neighbours = 0

            func writeJSON(into writer: inout JSONWriter) {
                writer.beginObject()
                writer.field("councils", councils)
                writer.field("inspections", inspections)
                writer.field("workforce", workforce)
                writer.field("figures", figures)
                writer.field("neighbours", neighbours)
                writer.endObject()
            }
        }

        var format: String
        /// The file's SHA-256, and the release it was recorded as (nil for formats that are
        /// not a publisher's).
        var sha256: String
        var release: String?
        /// Records the file held, all accepted.
        var imported: Counts
        /// Of those, the ones that differed from what was stored (new or replaced); the rest
        /// were identical and kept their version, ETag and `updated_at`.
        var changed = Counts()
        var skipped: [ImportSkip]

        init(_ document: ImportDocument, origin: Origin) {
            format = document.format?.rawValue ?? "unknown"
            sha256 = origin.file?.sha256 ?? ""
            release = origin.release?.id
            imported = Counts(councils: document.councils.count, inspections: document.inspections.count, workforce: document.workforce.count,
                              figures: document.figures.count, neighbours: document.neighbours.count)
            skipped = document.skipped
        }

        func writeJSON(into writer: inout JSONWriter) {
            writer.beginObject()
            writer.field("format", format)
            writer.field("sha256", sha256)
            writer.field("release", release)
            writer.key("imported")
            imported.writeJSON(into: &writer)
            writer.key("changed")
            changed.writeJSON(into: &writer)
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
    /// Throws `ImportError` for a file that does not import (nothing is applied),
    /// `InapplicableOption` for an option that says something this file is not, a
    /// `ValidationError` naming the record for a rule only the store checks (a date in the
    /// future), and the store's errors for a change it cannot make durable.
    ///
    /// The write records what made it: the file (name, SHA-256, format) and, for a
    /// publisher's file, the release it is (`ReleaseMetadata.describe`), with the key that
    /// sent it when `made` (the request's origin) names one.
    /// - Parameters:
    ///   - sourceName: the file's name, recorded as its records' `source`; when nil, the name
    ///     the same file was first imported under, if it was.
    ///   - neighbourModel: which model a statistical neighbour file is (else the year in `sourceName`).
    ///   - published: the publisher's publication date, when the uploader gives it.
    static func apply(_ bytes: [UInt8], as syntax: ImportSyntax?, to store: Store, sourceName: String? = nil,
                      neighbourModel: String? = nil, published: CalendarDate? = nil, made: Origin? = nil) async throws -> Summary {
        let plan = Plan(bytes: bytes, syntax: syntax, sourceName: sourceName, neighbourModel: neighbourModel, published: published, made: made)
        do {
            let committed = try await store.commit(describedBy: plan.transaction)
            return counted(committed.result, committed.changes, in: committed.state)
        } catch let error as ValidationError {
            throw located(error, in: plan.parsed)
        }
    }

    /// The same, blocking: for the command line.
    static func apply(_ bytes: [UInt8], as syntax: ImportSyntax?, to store: Store, sourceName: String? = nil,
                      neighbourModel: String? = nil, published: CalendarDate? = nil) throws -> Summary {
        let plan = Plan(bytes: bytes, syntax: syntax, sourceName: sourceName, neighbourModel: neighbourModel, published: published, made: nil)
        do {
            let outcome = try store.writeReturningChanges(describedBy: plan.transaction)
            return counted(outcome.result, outcome.changes, in: outcome.state)
        } catch let error as ValidationError {
            throw located(error, in: plan.parsed)
        }
    }

    /// The import's issues with the caller's advice added to the one the caller can act on:
    /// a neighbour model whose year neither the caller nor the file's name gave.
    static func advising(_ error: ImportError, unnamedModel advice: String) -> ImportError {
        var error = error
        for index in error.issues.indices where error.issues[index].field == "model" && error.issues[index].message == ImportIssue.unnamedNeighbourModel {
            error.issues[index].message += ": " + advice
        }
        return error
    }

    /// An option of the import (`model`, `published`) that says something of the file that
    /// it is not: refused rather than ignored. `option` is its name without the spelling of
    /// the caller (a query parameter, a flag).
    struct InapplicableOption: Error {
        var option: String
        var message: String
    }

    /// One import's transaction, run by the store against the state it applies to (again, if
    /// the store reruns it), keeping the document it parsed for the error that names a record.
    private final class Plan {
        let bytes: [UInt8]
        let syntax: ImportSyntax?
        let sourceName: String?
        let neighbourModel: String?
        let published: CalendarDate?
        let made: Origin?
        let sha256: String
        var parsed = ImportDocument()

        init(bytes: [UInt8], syntax: ImportSyntax?, sourceName: String?, neighbourModel: String?, published: CalendarDate?, made: Origin?) {
            self.bytes = bytes
            self.syntax = syntax
            self.sourceName = sourceName
            self.neighbourModel = neighbourModel
            self.published = published
            self.made = made
            sha256 = SHA256.hex(bytes)
        }

        func transaction(_ state: StoreState) throws -> (changes: [Change], result: Summary, origin: Origin?) {
            // A file sent again without its name keeps the name it was first imported under,
            // so that its records' `source` does not change and the import changes nothing.
            let name = sourceName ?? state.releases().first { $0.file.sha256 == sha256 }?.file.name
            parsed = try Importer.parse(bytes, as: syntax, existing: state, sourceName: name, neighbourModel: neighbourModel)
            if neighbourModel != nil, parsed.format != .neighboursCSV {
                throw InapplicableOption(option: "model", message: "applies to a statistical neighbour file only; this file is \(parsed.format?.rawValue ?? "unknown")")
            }
            let origin = BulkImport.origin(parsed, sha256: sha256, sourceName: name, state: state, published: published, made: made)
            if published != nil, origin.release == nil {
                throw InapplicableOption(option: "published", message: "applies to a publisher's file (DfE's or Ofsted's, recorded as a release) only; this file is \(parsed.format?.rawValue ?? "unknown")")
            }
            return (parsed.changes, Summary(parsed, origin: origin), origin)
        }
    }

    /// What made an import: a release for a publisher's file, an import otherwise; the key
    /// of the request, if any.
    static func origin(_ document: ImportDocument, sha256: String, sourceName: String?, state: StoreState,
                       published: CalendarDate?, made: Origin?) -> Origin {
        let name = sourceName ?? document.workforce.first?.source ?? document.figures.first?.source
        let file = FileIdentity(name: name, sha256: sha256, format: document.format?.rawValue ?? "unknown")
        let release = ReleaseMetadata.describe(document, file: file, in: state, published: published)
        return Origin(kind: release == nil ? .import : .release, keyID: made?.keyID, request: made?.request, file: file, release: release)
    }

    /// The summary with what the write changed counted in. A publisher's file that changed
    /// nothing the store held, and was not imported before, is recorded as no release: the
    /// answer names none rather than an id that `GET /v1/releases/{release}` does not know.
    private static func counted(_ summary: Summary, _ applied: [Change], in state: StoreState) -> Summary {
        var summary = summary
        if let release = summary.release, state.release(id: release) == nil { summary.release = nil }
        for change in applied {
            switch change {
            case .putCouncil: summary.changed.councils += 1
            case .putInspection: summary.changed.inspections += 1
            case .putWorkforce: summary.changed.workforce += 1
            case .putFigures: summary.changed.figures += 1
            case .putNeighbours: summary.changed.neighbours += 1
            case .deleteCouncil, .deleteInspection, .deleteWorkforce, .deleteFigures, .deleteNeighbours: break
            }
        }
        return summary
    }

    /// A rule only the store checks (a date in the future) broke: name the record.
    private static func located(_ error: ValidationError, in parsed: ImportDocument) -> ValidationError {
        ValidationError(error.errors.map { locate($0, change: error.changeIndex, in: parsed) })
    }

    /// `year` of the fourth workforce record becomes `workforce[3].year` in a JSON document,
    /// whose records the client numbers that way; a CSV's records are named by their key.
    static func locate(_ error: FieldError, change index: Int?, in document: ImportDocument) -> FieldError {
        guard var index else { return error }
        let json = document.format == .json
        func located(_ section: String, _ key: String) -> FieldError {
            json ? FieldError(field: "\(section)[\(index)].\(error.field)", message: error.message)
                 : FieldError(field: error.field, message: "\(key): \(error.message)")
        }
        if index < document.councils.count { return located("councils", document.councils[index].code) }
        index -= document.councils.count
        if index < document.inspections.count {
            let inspection = document.inspections[index]
            return located("inspections", "\(inspection.council) \(inspection.framework.rawValue) \(inspection.published?.description ?? inspection.started?.description ?? inspection.id)")
        }
        index -= document.inspections.count
        if index < document.workforce.count { return located("workforce", "\(document.workforce[index].council) \(document.workforce[index].year)") }
        index -= document.workforce.count
        if index < document.figures.count {
            let row = document.figures[index]
            return located("figures", "\(row.dataset) \(row.area) \(row.year)")
        }
        index -= document.figures.count
        if index < document.neighbours.count {
            return located("neighbours", "model \(document.neighbours[index].model) list of \(document.neighbours[index].laCode)")
        }
        return error
    }
}
