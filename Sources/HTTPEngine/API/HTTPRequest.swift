/// One complete request as the handler sees it: head parsed and validated, body fully read
/// (de-chunked) and within the route's limit.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var target: String
    public var path: String
    public var query: QueryParameters
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var pathParameters: [String: String]
    public var routePattern: String?
    public var remoteAddress: String
    public var requestID: String
    /// The path still percent-encoded (only when it had escapes), so a `%2F` inside a segment
    /// does not split it when routing.
    var rawPath: String? = nil
    /// What the router found before running middleware; consumed after the chain.
    var resolvedRoute: Router.Resolved? = nil
    /// Set when the engine itself answers (a request it refused, or one whose handler ran out of
    /// time): the request runs through the middleware chain like any other, so CORS, request-id,
    /// log and metrics see the answer, and the router answers with this instead of a route.
    var engineResponse: HTTPResponse? = nil

    public init(
        method: HTTPMethod, target: String, path: String? = nil, query: QueryParameters? = nil,
        version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        remoteAddress: String = "", requestID: String = ""
    ) {
        self.method = method
        self.target = target
        if let path, let query {
            self.path = path
            self.query = query
        } else {
            let qIndex = target.firstIndex(of: "?")
            self.path = path ?? String(target[..<(qIndex ?? target.endIndex)])
            if let query {
                self.query = query
            } else if let q = qIndex {
                self.query = QueryParameters(parsing: String(target[target.index(after: q)...])) ?? QueryParameters()
            } else {
                self.query = QueryParameters()
            }
        }
        self.version = version
        self.headers = headers
        self.body = body
        self.pathParameters = [:]
        self.routePattern = nil
        self.remoteAddress = remoteAddress
        self.requestID = requestID
    }

    /// Whether the client asked to keep the connection open (Connection header and version defaults).
    public var wantsKeepAlive: Bool {
        connectionKeepAlive(version: version, headers: headers)
    }
}

func connectionKeepAlive(version: HTTPVersion, headers: HTTPHeaders) -> Bool {
    var keep = version.minor >= 1
    for f in headers where asciiCaseInsensitiveEquals(f.name, "connection") {
        for token in f.value.split(separator: ",") {
            let t = token.trimmingSpaces
            if asciiCaseInsensitiveEquals(t, "close") { return false }
            if asciiCaseInsensitiveEquals(t, "keep-alive") { keep = true }
        }
    }
    return keep
}

extension Substring {
    var trimmingSpaces: String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
