/// Method + path-pattern routing with `{name}` parameters. Literal segments win over parameters.
/// Matching happens before the middleware chain runs, so middleware (metrics, logs) sees the
/// route pattern; the route's handler (or the 404/405/OPTIONS answer) runs after it.
public struct Router: Sendable {
    struct Entry: Sendable {
        var method: HTTPMethod
        var pattern: String
        var paramNames: [String]
        var bodyLimit: Int?
        var handler: HTTPHandler
        /// Registration order: lets per-route bookkeeping (metrics) use an array, not a hash.
        var index: Int
    }

    struct Node: Sendable {
        var literals: [String: Node] = [:]
        var param: [Node] = []          // zero or one: the `{name}` child
        var entries: [HTTPMethod: Entry] = [:]
        var pattern: String? = nil
    }

    enum Resolved: Sendable {
        case handler(HTTPHandler)
        case wrongMethod(allow: String)
    }

    var root = Node()
    var middlewares: [any HTTPMiddleware] = []
    var routeList: [(method: HTTPMethod, pattern: String)] = []
    /// Routes registered a second time (same method, same shape of pattern): `HTTPServer.start()`
    /// refuses to serve such a table rather than let the later registration silently win.
    var duplicates: [(method: HTTPMethod, pattern: String)] = []

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping HTTPHandler) {
        let segments = Router.split(pattern)
        var names: [String] = []
        for s in segments where s.hasPrefix("{") && s.hasSuffix("}") { names.append(String(s.dropFirst().dropLast())) }
        let entry = Entry(method: method, pattern: pattern, paramNames: names, bodyLimit: bodyLimit, handler: handler,
                          index: routeList.count)
        if !Router.insert(&root, segments[...], entry) {
            duplicates.append((method: method, pattern: pattern))
        }
        routeList.append((method: method, pattern: pattern))
    }

    public mutating func use(_ middleware: HTTPMiddleware) { middlewares.append(middleware) }

    public var routes: [(method: HTTPMethod, pattern: String)] { routeList }

    /// Returns false, changing nothing, when the node already has a handler for the method.
    private static func insert(_ node: inout Node, _ segments: ArraySlice<Substring>, _ entry: Entry) -> Bool {
        guard let first = segments.first else {
            guard node.entries[entry.method] == nil else { return false }
            node.entries[entry.method] = entry
            node.pattern = entry.pattern
            return true
        }
        if first.hasPrefix("{") && first.hasSuffix("}") {
            if node.param.isEmpty { node.param.append(Node()) }
            return insert(&node.param[0], segments.dropFirst(), entry)
        }
        let key = String(first)
        var child = node.literals[key] ?? Node()
        let inserted = insert(&child, segments.dropFirst(), entry)
        node.literals[key] = child
        return inserted
    }

    static func split(_ path: some StringProtocol) -> [Substring] {
        String(path).split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
    }

    static func entry(_ node: Node, for method: HTTPMethod) -> Entry? {
        if let e = node.entries[method] { return e }
        if method == .head { return node.entries[.get] }
        return nil
    }

    static func allow(_ node: Node) -> String {
        var methods = Set(node.entries.keys)
        if methods.contains(.get) { methods.insert(.head) }
        methods.insert(.options)
        let order: [HTTPMethod] = [.get, .head, .post, .put, .patch, .delete, .options]
        var list = order.filter { methods.contains($0) }.map(\.rawValue)
        list += methods.filter { !order.contains($0) }.map(\.rawValue).sorted()
        return list.joined(separator: ", ")
    }

    /// The body limit of the route `path` matches; `path` as it was sent (still percent-encoded),
    /// as the router matches it.
    public func bodyLimit(method: HTTPMethod, path: String) -> Int? {
        RouteTable(self).bodyLimit(method: method, path: path)
    }

    /// The frozen table the server matches against (built once, after all routes were added).
    func makeTable() -> RouteTable { RouteTable(self) }

    public func makeHandler() -> HTTPHandler { makeHandler(table: makeTable()) }

    func makeHandler(table: RouteTable) -> HTTPHandler {
        let dispatch: HTTPHandler = { request, responder in
            if let answer = request.engineResponse {
                responder.respond(answer)
                return
            }
            switch request.resolvedRoute {
            case .handler(let handler)?:
                handler(request, responder)
            case .wrongMethod(let allow)?:
                if request.method == .options {
                    var h = HTTPHeaders(); h.add("Allow", allow)
                    responder.respond(HTTPResponse(status: .noContent, headers: h))
                } else {
                    var r = HTTPResponse.problem(.methodNotAllowed, detail: "\(request.method.rawValue) is not allowed on \(request.path)")
                    r.headers.add("Allow", allow)
                    responder.respond(r)
                }
            case nil:
                if request.method == .options && request.target == "*" {
                    var h = HTTPHeaders(); h.add("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
                    responder.respond(HTTPResponse(status: .noContent, headers: h))
                    return
                }
                responder.respond(.problem(.notFound, detail: "No route for \(request.path)"))
            }
        }
        var chain = dispatch
        for middleware in middlewares.reversed() {
            let next = chain
            chain = { request, responder in middleware.handle(request, responder, next: next) }
        }
        let composed = chain
        return { (request: consuming HTTPRequest, responder: Responder) in
            // `request` is handed over (consuming), so the fields below are set without a copy.
            // Match on the still-encoded path when it had escapes, so "%2F" stays inside its segment.
            let encoded = request.rawPath
            if let found = table.match(encoded ?? request.path) {
                if let entry = found.node.entry(for: request.method) {
                    if !entry.paramNames.isEmpty {
                        var params: [String: String] = [:]
                        params.reserveCapacity(entry.paramNames.count)
                        for (name, value) in zip(entry.paramNames, found.values) {
                            if encoded != nil, value.utf8.contains(UInt8(ascii: "%")) {
                                var v = value
                                params[name] = v.withUTF8 { percentDecode(UnsafeRawBufferPointer($0), 0, $0.count, plusIsSpace: false) } ?? value
                            } else {
                                params[name] = value
                            }
                        }
                        request.pathParameters = params
                    }
                    request.routePattern = entry.pattern
                    request.routeIndex = entry.index
                    request.resolvedRoute = .handler(entry.handler)
                } else {
                    request.routePattern = found.node.pattern
                    request.resolvedRoute = .wrongMethod(allow: found.node.allow)
                }
            }
            composed(request, responder)
        }
    }
}
