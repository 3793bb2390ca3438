import CarewatchCore
import HTTPEngine

/// An error a handler answers with: it becomes an RFC 9457 problem+json response, with the
/// field-level `errors` array the contract promises so that clients can point at the field.
/// The type is `about:blank`: the status and title carry the whole meaning (RFC 9457 §4.2.1).
struct APIError: Error, Sendable, CustomStringConvertible {
    /// One entry of the `errors` array; `row` locates it in an imported CSV file.
    struct Issue: Sendable {
        var field: String
        var message: String
        var row: Int? = nil
    }

    var status: HTTPStatus
    var detail: String
    var errors: [Issue]
    var headers: [(String, String)]
    /// Further members of the problem object, as JSON (the change feed's `oldest` and `latest`).
    var members: [(name: String, json: [UInt8])] = []

    init(_ status: HTTPStatus, _ detail: String, errors: [FieldError] = [], headers: [(String, String)] = []) {
        self.init(status, detail, issues: errors.map { Issue(field: $0.field, message: $0.message) }, headers: headers)
    }

    init(_ status: HTTPStatus, _ detail: String, issues: [Issue], headers: [(String, String)] = []) {
        self.status = status
        self.detail = detail
        self.errors = issues
        self.headers = headers
    }

    /// For the command line: the detail and the first few field errors, not the whole value.
    var description: String {
        let fields = errors.prefix(5).map { "\($0.row.map { "line \($0): " } ?? "")\($0.field): \($0.message)" }
        return ([detail] + fields).joined(separator: "\n  ") + (errors.count > 5 ? "\n  … \(errors.count - 5) more" : "")
    }

    static func badParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, "query parameter '\(name)' \(message)", errors: [FieldError(field: name, message: message)])
    }

    static func badPathParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, "path parameter '\(name)' \(message)", errors: [FieldError(field: name, message: message)])
    }

    static func notFound(_ what: String) -> APIError { APIError(.notFound, "\(what) was not found") }

    /// An import that was refused as a whole, every problem in `errors` with its row: 400 for
    /// a body that does not parse (like every other body), 422 for records that break a rule.
    init(importError error: ImportError) {
        let issues = error.issues.map { Issue(field: $0.field, message: $0.message, row: $0.row) }
        if error.isMalformed {
            self.init(.badRequest, "nothing was imported: \(error.issues.first?.description ?? "the body does not parse")", issues: issues)
            return
        }
        let detail = "nothing was imported: \(error.issues.count + error.omitted) problem(s), first: \(error.issues.first?.description ?? "unknown")"
        self.init(.unprocessableContent, detail, issues: issues)
    }

    static func invalid(_ errors: [FieldError]) -> APIError {
        let summary = errors.prefix(3).map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        return APIError(.unprocessableContent, errors.count > 3 ? summary + "; …" : summary, errors: errors)
    }

    /// The engine's problem builder, with the `errors` array as an extension member.
    var response: HTTPResponse {
        var problem = ProblemDetails(status, detail: detail)
        if !errors.isEmpty {
            var writer = JSONWriter()
            writer.beginArray()
            for error in errors {
                writer.beginObject()
                writer.field("field", error.field)
                writer.field("message", error.message)
                if let row = error.row { writer.field("row", row) }
                writer.endObject()
            }
            writer.endArray()
            problem.addExtension("errors", json: writer.bytes)
        }
        for member in members { problem.addExtension(member.name, json: member.json) }
        problem.headers.add("Cache-Control", "no-store")
        for (name, value) in headers { problem.headers.add(name, value) }
        return problem.response
    }
}

extension APIError {
    /// Maps the store's errors: validation failures are the client's (422), anything else
    /// is a failure to persist, which must never look like success.
    init(storeError error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as ValidationError:
            self = .invalid(error.errors)
        default:
            self = APIError(.internalServerError, "the change could not be made durable and was not applied: \(error)")
        }
    }
}
