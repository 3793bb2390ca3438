/// Cross-origin access for browser pages (the CORS protocol of the Fetch standard).
///
/// The policy, in full:
/// - Origins listed by name may read and write. `*` lets every other origin read (GET, HEAD)
///   and nothing else: a page on any site that somehow holds a key still cannot write.
/// - Origins are compared normalised (scheme and host lower-cased, the scheme's default port
///   dropped), so `HTTPS://Dash.Example:443` in the configuration matches what a browser sends.
/// - A write (any method but GET, HEAD, OPTIONS) that carries the `Origin` of a page the policy
///   does not let write is refused with 403 before it reaches a handler, whether or not the
///   browser asked first (a preflight); where the origin may read, the refusal is readable.
/// - Allowed answers expose every header a client needs (`exposedHeaders`) to scripts.
/// - Every response says `Vary: Origin`, with or without an `Origin` in the request, because
///   what the server answers depends on it: a shared cache must not give one page's answer to
///   another.
/// - A request whose `Origin` is the server's own (same host and port as `Host`) is not
///   cross-origin and passes as if CORS were off (the server's own pages).
/// Origins the policy does not name get no CORS headers at all, so the browser refuses to show
/// them the answer; the middleware never reflects an arbitrary origin.
public struct CORSMiddleware: HTTPMiddleware {
    /// Response headers a script may read beyond the CORS-safelisted ones.
    public static let exposedHeaders = [
        "ETag", "Location", "Link", "X-Request-Id", "X-Next-Cursor", "X-Total-Count",
        "WWW-Authenticate", "Retry-After", "Content-Disposition", "Allow",
    ]
    /// Request headers a cross-origin read may send.
    public static let readHeaders = ["Accept", "If-None-Match", "X-Request-Id", "Last-Event-ID"]
    /// Request headers an origin allowed to write may send as well.
    public static let writeHeaders = readHeaders + ["Authorization", "Content-Type", "If-Match"]

    /// Normalised origins that may read and write.
    let writers: Set<String>
    /// `*` was configured: every origin may read.
    let anyoneReads: Bool
    let writeMethods: String
    let readMethods = "GET, HEAD"
    let maxAge: String
    private let expose = CORSMiddleware.exposedHeaders.joined(separator: ", ")
    private let readHeaderList = CORSMiddleware.readHeaders.joined(separator: ", ")
    private let writeHeaderList = CORSMiddleware.writeHeaders.joined(separator: ", ")

    /// - Parameter allowedOrigins: `scheme://host[:port]` origins allowed to read and write,
    ///   and `*` for read-only access from anywhere. Entries that are not origins are ignored
    ///   here; configuration is expected to refuse them first (see `normalizedOrigin`).
    public init(allowedOrigins: [String], maxAge: Int = 600) {
        writers = Set(allowedOrigins.compactMap(CORSMiddleware.normalizedOrigin))
        anyoneReads = allowedOrigins.contains("*")
        writeMethods = [HTTPMethod.get, .head, .post, .put, .patch, .delete].map(\.rawValue).joined(separator: ", ")
        self.maxAge = String(maxAge)
    }

    /// What one origin may do.
    enum Access: Equatable {
        case none
        /// Reads only, answered with `Access-Control-Allow-Origin: *`.
        case readAnyone
        /// Reads and writes, answered with the origin itself.
        case readWrite
    }

    func access(forOrigin origin: String) -> Access {
        if let normalized = CORSMiddleware.normalizedOrigin(origin), writers.contains(normalized) { return .readWrite }
        return anyoneReads ? .readAnyone : .none
    }

    public func handle(_ request: HTTPRequest, _ responder: Responder, next: HTTPHandler) {
        guard let origin = request.headers["Origin"], !CORSMiddleware.isSameOrigin(origin, host: request.headers["Host"]) else {
            next(request, CORSMiddleware.varying(responder))
            return
        }
        let access = access(forOrigin: origin)
        let allowOrigin = access == .readWrite ? origin : "*"
        let isPreflight = request.method == .options && request.headers.contains("Access-Control-Request-Method")
        if isPreflight {
            guard access != .none else {
                next(request, CORSMiddleware.varying(responder))
                return
            }
            var headers = HTTPHeaders()
            headers.add("Access-Control-Allow-Origin", allowOrigin)
            headers.add("Access-Control-Allow-Methods", access == .readWrite ? writeMethods : readMethods)
            headers.add("Access-Control-Allow-Headers", access == .readWrite ? writeHeaderList : readHeaderList)
            headers.add("Access-Control-Max-Age", maxAge)
            headers.add("Vary", "Origin")
            responder.respond(HTTPResponse(status: .noContent, headers: headers))
            return
        }
        let safe = request.method == .get || request.method == .head || request.method == .options
        if !safe, access != .readWrite {
            var refusal = HTTPResponse.problem(
                .forbidden,
                detail: "cross-origin writes are allowed only from the origins the server lists by name; \(origin) is not one of them")
            refusal.headers.add("Cache-Control", "no-store")
            if access == .readAnyone { addAllowHeaders(to: &refusal.headers, allowOrigin: allowOrigin) }
            CORSMiddleware.addVary(to: &refusal.headers)
            responder.respond(refusal)
            return
        }
        guard access != .none else {
            next(request, CORSMiddleware.varying(responder))
            return
        }
        next(request, Responder { [self] response in
            var response = response
            addAllowHeaders(to: &response.headers, allowOrigin: allowOrigin)
            CORSMiddleware.addVary(to: &response.headers)
            responder.respond(response)
        })
    }

    private func addAllowHeaders(to headers: inout HTTPHeaders, allowOrigin: String) {
        headers.set("Access-Control-Allow-Origin", allowOrigin)
        headers.set("Access-Control-Expose-Headers", expose)
    }

    /// A responder that adds `Vary: Origin` to whatever it is given.
    static func varying(_ responder: Responder) -> Responder {
        Responder { response in
            var response = response
            addVary(to: &response.headers)
            responder.respond(response)
        }
    }

    /// Adds `Origin` to the response's `Vary` list (one header field, not a second one), unless
    /// it is there already or the response varies on everything (`*`).
    static func addVary(to headers: inout HTTPHeaders) {
        let existing = headers.values("Vary")
        let tokens = existing.flatMap { $0.split(separator: ",").map { $0.trimmingSpaces.lowercased() } }
        if tokens.contains("origin") || tokens.contains("*") { return }
        headers.set("Vary", (existing + ["Origin"]).joined(separator: ", "))
    }

    /// `scheme://host[:port]` in the form browsers send it: scheme and host lower-cased, the
    /// scheme's default port left out. Nil for anything that is not a
    /// tuple origin (`null`, paths, user info, queries, bad ports).
    public static func normalizedOrigin(_ text: String) -> String? {
        let text = Substring(text).trimmingSpaces
        guard let separator = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard let first = scheme.unicodeScalars.first, ("a"..."z").contains(first),
              scheme.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) })
        else { return nil }
        guard let (host, port) = splitAuthority(text[separator.upperBound...]) else { return nil }
        if let port, port != defaultPort(scheme) { return "\(scheme)://\(host):\(port)" }
        return "\(scheme)://\(host)"
    }

    /// Host (lower-cased; IPv6 literals keep their brackets) and port of `host[:port]`.
    static func splitAuthority(_ authority: Substring) -> (host: String, port: Int?)? {
        guard !authority.isEmpty,
              authority.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              !authority.contains(where: { "/?#@\\".contains($0) }) else { return nil }
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = rest.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard !host.isEmpty, host != "[]" else { return nil }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portText), (1...65535).contains(value) else { return nil }
            port = value
        }
        return (host.lowercased(), port)
    }

    static func defaultPort(_ scheme: String) -> Int? {
        switch scheme {
        case "http", "ws": return 80
        case "https", "wss": return 443
        default: return nil
        }
    }

    /// Whether a page's `Origin` names this server itself (`Host`, compared with the origin's
    /// default port filled in on both sides).
    static func isSameOrigin(_ origin: String, host: String?) -> Bool {
        guard let host, let normalized = normalizedOrigin(origin), let separator = normalized.firstRange(of: "://"),
              let ours = splitAuthority(Substring(host).trimmingSpaces[...]),
              let theirs = splitAuthority(normalized[separator.upperBound...]) else { return false }
        let scheme = String(normalized[..<separator.lowerBound])
        return ours.host == theirs.host && (ours.port ?? defaultPort(scheme)) == (theirs.port ?? defaultPort(scheme))
    }
}
