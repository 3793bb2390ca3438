/// Cross-origin access for browser dashboards on configured origins. Requests from other origins
/// pass through untouched (the browser then refuses them), so the API never reflects arbitrary origins.
public struct CORSMiddleware: HTTPMiddleware {
    let allowedOrigins: Set<String>
    let allowAny: Bool
    let allowMethods: String
    let allowHeaders: String
    let exposeHeaders: String
    let maxAge: Int

    public init(
        allowedOrigins: [String],
        allowMethods: [HTTPMethod] = [.get, .head, .post, .put, .patch, .delete, .options],
        allowHeaders: [String] = ["Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-Id"],
        exposeHeaders: [String] = ["ETag", "Location", "X-Request-Id"],
        maxAge: Int = 600
    ) {
        self.allowedOrigins = Set(allowedOrigins)
        self.allowAny = allowedOrigins.contains("*")
        self.allowMethods = allowMethods.map(\.rawValue).joined(separator: ", ")
        self.allowHeaders = allowHeaders.joined(separator: ", ")
        self.exposeHeaders = exposeHeaders.joined(separator: ", ")
        self.maxAge = maxAge
    }

    func allowedOrigin(_ origin: String) -> String? {
        if allowedOrigins.contains(origin) { return origin }
        return allowAny ? "*" : nil
    }

    public func handle(_ request: HTTPRequest, _ responder: Responder, next: HTTPHandler) {
        guard let origin = request.headers["Origin"] else {
            next(request, responder)
            return
        }
        guard let allowed = allowedOrigin(origin) else {
            next(request, Responder { response in
                var response = response
                response.headers.add("Vary", "Origin")
                responder.respond(response)
            })
            return
        }
        if request.method == .options, request.headers.contains("Access-Control-Request-Method") {
            var h = HTTPHeaders()
            h.add("Access-Control-Allow-Origin", allowed)
            h.add("Access-Control-Allow-Methods", allowMethods)
            h.add("Access-Control-Allow-Headers", allowHeaders)
            h.add("Access-Control-Max-Age", String(maxAge))
            h.add("Vary", "Origin")
            responder.respond(HTTPResponse(status: .noContent, headers: h))
            return
        }
        let expose = exposeHeaders
        next(request, Responder { response in
            var response = response
            response.headers.set("Access-Control-Allow-Origin", allowed)
            response.headers.add("Access-Control-Expose-Headers", expose)
            response.headers.add("Vary", "Origin")
            responder.respond(response)
        })
    }
}
