/// One complete request as the handler sees it: head parsed and validated, body fully read
/// (de-chunked) and within the route's limit.
///
/// A value type whose fields live in one shared, copy-on-write box: handing a request down a
/// middleware chain or capturing it in a closure costs one reference count, not one per field;
/// only a change to a request that is shared copies the fields.
public struct HTTPRequest: Sendable {
    /// Changed only through `unique` (never while shared), so no two threads can touch a field
    /// at once and the per-access exclusivity check is not needed.
    final class Storage: @unchecked Sendable {
        @exclusivity(unchecked) var method: HTTPMethod
        @exclusivity(unchecked) var target: String
        @exclusivity(unchecked) var path: String
        @exclusivity(unchecked) var query: QueryParameters
        @exclusivity(unchecked) var version: HTTPVersion
        @exclusivity(unchecked) var headers: HTTPHeaders
        @exclusivity(unchecked) var body: [UInt8]
        @exclusivity(unchecked) var pathParameters: [String: String] = [:]
        @exclusivity(unchecked) var routePattern: String? = nil
        @exclusivity(unchecked) var routeIndex: Int? = nil
        @exclusivity(unchecked) var remoteAddress: String
        @exclusivity(unchecked) var requestID: String
        @exclusivity(unchecked) var rawPath: String? = nil
        @exclusivity(unchecked) var resolvedRoute: Router.Resolved? = nil
        @exclusivity(unchecked) var engineResponse: HTTPResponse? = nil

        init(method: HTTPMethod, target: String, path: String, query: QueryParameters, version: HTTPVersion,
             headers: HTTPHeaders, body: [UInt8], remoteAddress: String, requestID: String) {
            self.method = method
            self.target = target
            self.path = path
            self.query = query
            self.version = version
            self.headers = headers
            self.body = body
            self.remoteAddress = remoteAddress
            self.requestID = requestID
        }

        func copy() -> Storage {
            let c = Storage(method: method, target: target, path: path, query: query, version: version,
                            headers: headers, body: body, remoteAddress: remoteAddress, requestID: requestID)
            c.pathParameters = pathParameters
            c.routePattern = routePattern
            c.routeIndex = routeIndex
            c.rawPath = rawPath
            c.resolvedRoute = resolvedRoute
            c.engineResponse = engineResponse
            return c
        }
    }

    private var storage: Storage

    /// The storage, copied first if another request value shares it.
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    public var method: HTTPMethod {
        get { storage.method }
        set { unique.method = newValue }
    }
    public var target: String {
        get { storage.target }
        set { unique.target = newValue }
    }
    public var path: String {
        get { storage.path }
        set { unique.path = newValue }
    }
    public var query: QueryParameters {
        get { storage.query }
        _modify { yield &unique.query }
    }
    public var version: HTTPVersion {
        get { storage.version }
        set { unique.version = newValue }
    }
    public var headers: HTTPHeaders {
        get { storage.headers }
        _modify { yield &unique.headers }
    }
    public var body: [UInt8] {
        get { storage.body }
        _modify { yield &unique.body }
    }
    public var pathParameters: [String: String] {
        get { storage.pathParameters }
        _modify { yield &unique.pathParameters }
    }
    public var routePattern: String? {
        get { storage.routePattern }
        set { unique.routePattern = newValue }
    }
    /// The matched route's registration index (see `Router.Entry.index`).
    var routeIndex: Int? {
        get { storage.routeIndex }
        set { unique.routeIndex = newValue }
    }
    public var remoteAddress: String {
        get { storage.remoteAddress }
        set { unique.remoteAddress = newValue }
    }
    public var requestID: String {
        get { storage.requestID }
        set { unique.requestID = newValue }
    }
    /// The path still percent-encoded (only when it had escapes), so a `%2F` inside a segment
    /// does not split it when routing.
    var rawPath: String? {
        get { storage.rawPath }
        set { unique.rawPath = newValue }
    }
    /// What the router found before running middleware; consumed after the chain.
    var resolvedRoute: Router.Resolved? {
        get { storage.resolvedRoute }
        set { unique.resolvedRoute = newValue }
    }
    /// Set when the engine itself answers (a request it refused, or one whose handler ran out of
    /// time): the request runs through the middleware chain like any other, so CORS, request-id,
    /// log and metrics see the answer, and the router answers with this instead of a route.
    var engineResponse: HTTPResponse? {
        get { storage.engineResponse }
        set { unique.engineResponse = newValue }
    }

    public init(
        method: HTTPMethod, target: String, path: String? = nil, query: QueryParameters? = nil,
        version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        remoteAddress: String = "", requestID: String = ""
    ) {
        let resolvedPath: String
        let resolvedQuery: QueryParameters
        if let path, let query {
            resolvedPath = path
            resolvedQuery = query
        } else {
            let qIndex = target.firstIndex(of: "?")
            resolvedPath = path ?? String(target[..<(qIndex ?? target.endIndex)])
            if let query {
                resolvedQuery = query
            } else if let q = qIndex {
                resolvedQuery = QueryParameters(parsing: String(target[target.index(after: q)...])) ?? QueryParameters()
            } else {
                resolvedQuery = QueryParameters()
            }
        }
        storage = Storage(method: method, target: target, path: resolvedPath, query: resolvedQuery, version: version,
                          headers: headers, body: body, remoteAddress: remoteAddress, requestID: requestID)
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
