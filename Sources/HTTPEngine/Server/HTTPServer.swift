import Glibc
import Dispatch
import Synchronization

/// The engine's entry point: binds the configured addresses, runs a fixed pool of event loops
/// (serial queues, about one per core) and hands each complete request to one handler.
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    let context: ServerContext
    let loops: [EventLoop]
    /// A mistake in the route table, reported by `start()`.
    private let routeError: HTTPServerError?
    private struct Runtime {
        var started = false
        var stopped = false
        var listeners: [Listener] = []
        var port = 0
    }
    private let runtime = Mutex(Runtime())

    /// Serves a router. The engine's own error answers (400, 408, 413, 414, 431, 503) run through
    /// its middleware like every other answer, so they carry CORS and request-id headers too.
    public convenience init(configuration: ServerConfiguration, router: Router) {
        let table = router.makeTable()
        let handler = router.makeHandler(table: table)
        self.init(configuration: configuration, handler: handler, routesEngineErrors: true,
                  bodyLimit: { table.bodyLimit(method: $0, path: $1) },
                  routeError: router.duplicates.first.map { .duplicateRoute(method: $0.method, pattern: $0.pattern) })
    }

    /// Serves a bare handler; the engine's own error answers do not reach it. `bodyLimit` is
    /// asked with the path as it was sent (still percent-encoded).
    public convenience init(configuration: ServerConfiguration, handler: @escaping HTTPHandler,
                            bodyLimit: @escaping @Sendable (HTTPMethod, String) -> Int? = { _, _ in nil }) {
        self.init(configuration: configuration, handler: handler, routesEngineErrors: false, bodyLimit: bodyLimit, routeError: nil)
    }

    private init(configuration: ServerConfiguration, handler: @escaping HTTPHandler, routesEngineErrors: Bool,
                 bodyLimit: @escaping @Sendable (HTTPMethod, String) -> Int?, routeError: HTTPServerError?) {
        self.configuration = configuration
        let context = ServerContext(configuration: configuration, handler: handler, routesEngineErrors: routesEngineErrors,
                                    bodyLimitFor: bodyLimit)
        self.context = context
        self.routeError = routeError
        self.loops = (0..<max(1, configuration.eventLoopCount)).map { EventLoop(index: $0, context: context) }
    }

    /// Binds and starts accepting. The process-wide effects happen here, and only when the
    /// configuration asks for them.
    public func start() throws(HTTPServerError) {
        if let routeError { throw routeError }
        if configuration.ignoresSIGPIPE { signal(SIGPIPE, SIG_IGN) }
        if configuration.raisesDescriptorLimit { raiseDescriptorLimit() }
        let fds = try bindAll()
        let listeners = fds.map { Listener(fd: $0, loops: loops, context: context) }
        let port = fds.first.map { Socket.localPort($0) } ?? 0
        let fresh = runtime.withLock { r -> Bool in
            guard !r.started else { return false }
            r.started = true
            r.listeners = listeners
            r.port = port
            return true
        }
        guard fresh else {
            for fd in fds { close(fd) }
            throw .alreadyStarted
        }
        for loop in loops {
            loop.queue.async {
                loop.startPolling()
                loop.startSweeping()
            }
        }
        for l in listeners { l.start() }
    }

    public var boundPort: Int { runtime.withLock { $0.port } }
    public var openConnections: Int { context.openConnections.load(ordering: .relaxed) }
    public var isDraining: Bool { context.isDraining }

    /// What the engine handled on its own since start-up, for monitoring.
    public struct Statistics: Sendable, Equatable {
        /// Handlers that did not answer within `responseTimeout` (each got a 503).
        public var responseTimeouts: UInt64
        /// Requests whose head or body came too late or too slowly (each got a 408).
        public var requestTimeouts: UInt64
        /// Clients disconnected for not reading their answer (write timeout or minimum rate).
        public var slowReadersDisconnected: UInt64
        /// Pushed streams ended because the client fell more than the stream's buffer behind.
        public var streamsCutOff: UInt64
        /// Times accepting paused because the process ran out of descriptors.
        public var acceptBackoffs: UInt64
    }

    public var statistics: Statistics { context.counters.snapshot }

    /// Stops accepting, closes idle connections, lets in-flight requests finish (their answers
    /// carry `Connection: close`) and ends pushed streams with their last chunk; returns when the
    /// last connection has closed or `timeout` (default `drainTimeout`) passed, then closes
    /// whatever is left. Called from a handler, it holds that handler's loop for the wait.
    public func shutdown(timeout: Duration? = nil) {
        let listeners: [Listener] = runtime.withLock { r in
            if r.stopped { return [] }
            r.stopped = true
            let l = r.listeners
            r.listeners = []
            return l
        }
        context.draining.store(true, ordering: .relaxed)
        for l in listeners { l.stop() }
        for loop in loops { loop.queue.async { loop.beginDrain() } }
        let limit = timeout ?? configuration.drainTimeout
        let deadline = DispatchTime.now() + .nanoseconds(Int(min(limit.nanoseconds, UInt64(Int.max))))
        while openConnections > 0 {
            if context.lastConnectionClosed.wait(timeout: deadline) == .timedOut { break }
        }
        for loop in loops {
            // Called from a handler (on a loop's own queue) a sync hop would deadlock.
            if loop.isCurrent {
                loop.closeAll()
                loop.stopSweeping()
                loop.stopPolling()
            } else {
                loop.queue.sync {
                    loop.closeAll()
                    loop.stopSweeping()
                    loop.stopPolling()
                }
            }
        }
        LogSink.standardOutput.flush()
    }

    /// Blocks until SIGTERM or SIGINT, then drains: `beforeDrain` (e.g. readiness goes 503),
    /// `shutdown`, `afterDrain` (e.g. flush the store). Pass `signals` installed before the
    /// server started, so that a signal sent while it started is not fatal (see
    /// `TerminationSignals`).
    public func runUntilTerminated(signals: TerminationSignals? = nil, beforeDrain: @Sendable () -> Void = {}, afterDrain: @Sendable () -> Void = {}) {
        let signals = signals ?? TerminationSignals()
        signals.wait()
        beforeDrain()
        shutdown()
        afterDrain()
        LogSink.standardOutput.flush()
        signals.restore()
    }

    /// The default soft limit (often 1024) would cap connections far below `maxConnections`;
    /// raise it towards the hard limit, as servers conventionally do at start-up.
    private func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = rlim_t(configuration.maxConnections + 256)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    // MARK: binding

    private func bindAll() throws(HTTPServerError) -> [Int32] {
        let host = configuration.host
        let port = configuration.port
        let backlog = Int32(configuration.backlog)
        guard (0...65535).contains(port) else { throw .invalidPort(port) }
        if host == "*" {
            let v4 = try bindV4(INADDR_ANY, port: port, backlog: backlog, display: "0.0.0.0:\(port)")
            let actual = Socket.localPort(v4)
            do {
                let v6 = try bindV6(in6addr_any, port: actual, v6Only: true, backlog: backlog, display: "[::]:\(actual)")
                return [v4, v6]
            } catch {
                if case .socketFailed(_, _, EAFNOSUPPORT) = error { return [v4] }
                close(v4)
                throw error
            }
        }
        var a4 = in_addr()
        if inet_pton(AF_INET, host, &a4) == 1 {
            return [try bindV4(a4.s_addr, port: port, backlog: backlog, display: "\(host):\(port)")]
        }
        var a6 = in6_addr()
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if inet_pton(AF_INET6, bare, &a6) == 1 {
            return [try bindV6(a6, port: port, v6Only: false, backlog: backlog, display: "[\(bare)]:\(port)")]
        }
        return try bindResolved(host, port: port, backlog: backlog)
    }

    /// A host name listens on every address it resolves to, on one port, as users expect:
    /// `localhost` is often both ::1 and 127.0.0.1, and a client may try either. An address the
    /// system cannot bind here (IPv6 turned off, say) is passed over if another one binds.
    private func bindResolved(_ host: String, port: Int, backlog: Int32) throws(HTTPServerError) -> [Int32] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var result: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, result != nil else {
            throw .cannotResolveHost(host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(result) }
        var addresses: [(family: Int32, v4: in_addr, v6: in6_addr)] = []
        var cursor = result
        while let info = cursor {
            cursor = info.pointee.ai_next
            switch info.pointee.ai_family {
            case AF_INET:
                let address = UnsafeRawPointer(info.pointee.ai_addr).load(as: sockaddr_in.self).sin_addr
                if !addresses.contains(where: { $0.family == AF_INET && $0.v4.s_addr == address.s_addr }) {
                    addresses.append((AF_INET, address, in6_addr()))
                }
            case AF_INET6:
                let address = UnsafeRawPointer(info.pointee.ai_addr).load(as: sockaddr_in6.self).sin6_addr
                let bytes = withUnsafeBytes(of: address) { Array($0) }
                if !addresses.contains(where: { $0.family == AF_INET6 && withUnsafeBytes(of: $0.v6) { Array($0) } == bytes }) {
                    addresses.append((AF_INET6, in_addr(), address))
                }
            default:
                continue
            }
        }
        var fds: [Int32] = []
        var chosenPort = port
        var passedOver: HTTPServerError?
        for address in addresses {
            do {
                let fd: Int32
                if address.family == AF_INET {
                    var v4 = address.v4
                    fd = try bindV4(v4.s_addr, port: chosenPort, backlog: backlog, display: "\(host) (\(Self.text(AF_INET, &v4))):\(chosenPort)")
                } else {
                    var v6 = address.v6
                    fd = try bindV6(v6, port: chosenPort, v6Only: addresses.count > 1, backlog: backlog,
                                    display: "\(host) ([\(Self.text(AF_INET6, &v6))]):\(chosenPort)")
                }
                fds.append(fd)
                if chosenPort == 0 { chosenPort = Socket.localPort(fd) }
            } catch where [EADDRNOTAVAIL, EAFNOSUPPORT, EPROTONOSUPPORT].contains(error.systemErrorCode ?? 0) {
                passedOver = error
            } catch {
                for fd in fds { close(fd) }
                throw error
            }
        }
        guard !fds.isEmpty else { throw passedOver ?? .cannotResolveHost(host, reason: "no address") }
        return fds
    }

    private static func text(_ family: Int32, _ address: UnsafeRawPointer) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        inet_ntop(family, address, &buffer, socklen_t(buffer.count))
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private func bindV4(_ address: in_addr_t, port: Int, backlog: Int32, display: String) throws(HTTPServerError) -> Int32 {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        sin.sin_addr = in_addr(s_addr: address)
        return try withUnsafePointer(to: &sin) { (pointer) throws(HTTPServerError) -> Int32 in
            try Socket.listen(family: AF_INET, address: pointer, length: socklen_t(MemoryLayout<sockaddr_in>.size),
                              v6Only: nil, backlog: backlog, display: display)
        }
    }

    private func bindV6(_ address: in6_addr, port: Int, v6Only: Bool, backlog: Int32, display: String) throws(HTTPServerError) -> Int32 {
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
        sin6.sin6_addr = address
        return try withUnsafePointer(to: &sin6) { (pointer) throws(HTTPServerError) -> Int32 in
            try Socket.listen(family: AF_INET6, address: pointer, length: socklen_t(MemoryLayout<sockaddr_in6>.size),
                              v6Only: v6Only, backlog: backlog, display: display)
        }
    }
}
