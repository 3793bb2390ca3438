/// A request's head after strict validation, with the framing decided (length or chunked).
struct RequestHead: Sendable {
    var method: HTTPMethod
    var target: String
    var path: String
    var rawPath: String?
    var query: QueryParameters
    var version: HTTPVersion
    var headers: HTTPHeaders
    var contentLength: Int?
    var chunked: Bool
    var keepAlive: Bool
    var expectContinue: Bool

    var hasBody: Bool { chunked || (contentLength ?? 0) > 0 }
}
