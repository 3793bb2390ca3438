import HTTPEngine

/// `/`: the dashboard, a plain HTML page whose script draws the figures from this API, and
/// `/assets/{file}`: its style sheet and script. All three are embedded from Dashboard/.
struct DashboardRoutes {
    /// The assets a page may load, by name, with their media types.
    static let assets: [String: StaticPage] = {
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8"]
        var assets: [String: StaticPage] = [:]
        for (name, text) in EmbeddedDocuments.files {
            guard let type = name.split(separator: ".").last.flatMap({ types[String($0)] }) else { continue }
            assets[name] = StaticPage(body: Array(text.utf8), contentType: type)
        }
        return assets
    }()

    static let index: Result<StaticPage, APIError> = {
        guard let html = EmbeddedDocuments.files["index.html"] else {
            return .failure(APIError(.internalServerError, "the dashboard was not embedded in this build"))
        }
        return .success(StaticPage(body: Array(html.utf8), contentType: "text/html; charset=utf-8", securityPolicy: StaticPage.dashboardPolicy))
    }()

    func register(in router: inout Router) {
        router.add(.get, "/") { request, responder in
            responder.respond(StaticPage.response(DashboardRoutes.index, request: request))
        }
        router.add(.get, "/assets/{file}") { request, responder in
            let name = request.pathParameters["file"] ?? ""
            guard let asset = DashboardRoutes.assets[name] else {
                responder.respond(APIError.notFound("asset '\(name)'").response)
                return
            }
            responder.respond(StaticPage.response(.success(asset), request: request))
        }
    }
}
