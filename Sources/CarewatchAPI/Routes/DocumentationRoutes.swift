import CarewatchCore
import Dispatch
import HTTPEngine

/// The API described for people and tools, from the openapi.yaml the binary carries:
/// `/openapi.json` (the same document as JSON, for tools that read no YAML) and `/docs` (one
/// self-contained HTML page). Both are rendered once per process, off the event loops as the
/// server starts, so that neither the first reader nor the connections sharing its event loop
/// wait for the rendering.
struct DocumentationRoutes {
    func register(in router: inout Router) {
        DispatchQueue.global(qos: .utility).async {
            _ = DocumentationRoutes.openAPIJSON
            _ = DocumentationRoutes.docsPage
        }
        router.add(.get, "/openapi.json") { request, responder in
            responder.respond(StaticPage.response(DocumentationRoutes.openAPIJSON, request: request))
        }
        router.add(.get, "/docs") { request, responder in
            responder.respond(StaticPage.response(DocumentationRoutes.docsPage, request: request))
        }
    }

    /// openapi.yaml as read by `YAMLReader`, or why it could not be read.
    static let openAPI: Result<JSONValue, YAMLError> = Result { () throws(YAMLError) in
        try YAMLReader.parse(EmbeddedDocuments.files["openapi.yaml"] ?? "")
    }

    static let openAPIJSON: Result<StaticPage, APIError> = openAPI.map { document in
        StaticPage(body: document.serialized(pretty: true), contentType: "application/json")
    }.mapError(DocumentationRoutes.unreadable)

    static let docsPage: Result<StaticPage, APIError> = openAPI.map { document in
        StaticPage(body: Array(DocsPage.render(OpenAPIDocument(document)).utf8), contentType: "text/html; charset=utf-8",
                   securityPolicy: StaticPage.docsPolicy)
    }.mapError(DocumentationRoutes.unreadable)

    static func unreadable(_ error: YAMLError) -> APIError {
        APIError(.internalServerError, "the embedded openapi.yaml could not be read: openapi.yaml \(error)")
    }
}
