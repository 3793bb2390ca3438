import HTTPEngine

/// A body fixed for the life of the process (the docs page, the dashboard's files, the
/// OpenAPI document as JSON), with its tag, served with revalidation like every GET.
struct StaticPage: Sendable {
    let body: [UInt8]
    let contentType: String
    let etag: String
    /// `Content-Security-Policy` for HTML: what the page may load. None of carewatch's pages
    /// loads anything from another origin; the policy makes the browser hold them to it.
    let securityPolicy: String?

    init(body: [UInt8], contentType: String, securityPolicy: String? = nil) {
        self.body = body
        self.contentType = contentType
        self.etag = ETag.strong(for: body)
        self.securityPolicy = securityPolicy
    }

    /// The docs page: no script at all, its style inline.
    static let docsPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    /// The dashboard: its own files and its own API, nothing else.
    static let dashboardPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The page, or 304; a query string is refused (400), as everywhere in the API.
    static func response(_ page: Result<StaticPage, APIError>, request: HTTPRequest) -> HTTPResponse {
        if let parameter = request.query.names.first {
            return APIError.badParameter(parameter, "is not a parameter of \(request.path) (it takes none)").response
        }
        switch page {
        case .failure(let error):
            return error.response
        case .success(let page):
            var headers = HTTPHeaders()
            headers.set("ETag", page.etag)
            headers.set("Cache-Control", CacheableResponse.cacheControl(for: request))
            if ETag.noneMatchHits(request.headers["If-None-Match"], etag: page.etag) {
                return HTTPResponse(status: .notModified, headers: headers)
            }
            headers.set("Content-Type", page.contentType)
            headers.set("X-Content-Type-Options", "nosniff")
            if let policy = page.securityPolicy {
                headers.set("Content-Security-Policy", policy)
                headers.set("Referrer-Policy", "no-referrer")
            }
            return HTTPResponse(status: .ok, headers: headers, body: .bytes(page.body))
        }
    }
}
