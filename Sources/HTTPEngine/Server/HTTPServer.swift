import Glibc
import Dispatch
import Synchronization

public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The system's error number, when a system call failed.
    public var code: Int32?
    public init(_ description: String, code: Int32? = nil) {
        self.description = description
        self.code = code
    }
}

/// The engine's entry point: binds the configured addresses, runs a fixed pool of event loops
/// (serial queues, about one per core) and hands each complete request to one handler.
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    let context: ServerContext
    let loops: [EventLoop]
    private struct Runtime {
        var started = false
        var stopped = false
        var listeners: [Listener] = []
        var port = 0
    }
    private let runtime = Mutex(Runtime())

    public convenience init(configuration: ServerConfiguration, router: Router) {
        let table = router.makeTable()
        let handler = router.makeHandler(table: table)
        self.init(configuration: configuration, handler: handler, bodyLimit: { table.bodyLimit(method: $0, path: $1) })
    }

    public init(configuration: ServerConfiguration, handler: @escaping HTTPHandler,
                bodyLimit: @escaping @Sendable (HTTPMethod, String) -> Int? = { _, _ in nil }) {
        self.configuration = configuration
        let context = ServerContext(configuration: configuration, handler: handler, bodyLimitFor: bodyLimit)
        self.context = context
        self.loops = (0..<max(1, configuration.eventLoopCount)).map { EventLoop(index: $0, context: context) }
    }

    /// Binds and starts accepting. Throws a readable error (e.g. "address already in use").
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        raiseDescriptorLimit()
        let fds = try bindAll()
        let listeners = fds.map { Listener(fd: $0, loops: loops, context: context) }
        let port = fds.first.map { Socket.localPort($0) } ?? 0
        try runtime.withLock { r in
            guard !r.started else {
                for fd in fds { close(fd) }
                throw HTTPServerError("Server already started")
            }
            r.started = true
            r.listeners = listeners
            r.port = port
        }
        for loop in loops { loop.queue.async { loop.startSweeping() } }
        for l in listeners { l.start() }
    }

    public var boundPort: Int { runtime.withLock { $0.port } }
    public var openConnections: Int { context.openConnections.load(ordering: .relaxed) }
    public var isDraining: Bool { context.isDraining }

    /// Stops accepting, closes idle connections, lets in-flight requests finish (their answers
    /// carry `Connection: close`), and returns when all are closed or the timeout passed; then
    /// closes whatever is left.
    public func shutdown(timeout: Double? = nil) {
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
        let deadline = monotonicNanos() &+ UInt64(max(0, limit) * 1e9)
        while openConnections > 0 && monotonicNanos() < deadline {
            usleep(5_000)
        }
        for loop in loops {
            // Called from a handler (on a loop's own queue) a sync hop would deadlock.
            if loop.isCurrent {
                loop.closeAll()
                loop.stopSweeping()
            } else {
                loop.queue.sync {
                    loop.closeAll()
                    loop.stopSweeping()
                }
            }
        }
        LogSink.standardOutput.flush()
    }

    /// Blocks until SIGTERM or SIGINT, then drains: `beforeDrain` (e.g. readiness goes 503),
    /// `shutdown`, `afterDrain` (e.g. flush the store).
    public func runUntilTerminated(beforeDrain: @Sendable () -> Void = {}, afterDrain: @Sendable () -> Void = {}) {
        let signalled = DispatchSemaphore(value: 0)
        let queue = DispatchQueue(label: "httpengine.signals")
        var sources: [DispatchSourceSignal] = []
        var previous: [(Int32, __sighandler_t?)] = []
        for sig in [SIGTERM, SIGINT] {
            previous.append((sig, signal(sig, SIG_IGN)))
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { signalled.signal() }
            s.resume()
            sources.append(s)
        }
        signalled.wait()
        beforeDrain()
        shutdown()
        afterDrain()
        LogSink.standardOutput.flush()
        for s in sources { s.cancel() }
        // Ignored signals stay ignored in child processes: put back what was there before.
        for (sig, handler) in previous { signal(sig, handler) }
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

    private func bindAll() throws -> [Int32] {
        let host = configuration.host
        let port = configuration.port
        let backlog = Int32(configuration.backlog)
        guard (0...65535).contains(port) else { throw HTTPServerError("Invalid port \(port)") }
        if host == "*" {
            let v4 = try bindV4(INADDR_ANY, port: port, backlog: backlog, display: "0.0.0.0:\(port)")
            let actual = Socket.localPort(v4)
            do {
                let v6 = try bindV6(in6addr_any, port: actual, v6Only: true, backlog: backlog, display: "[::]:\(actual)")
                return [v4, v6]
            } catch {
                if errno == EAFNOSUPPORT { return [v4] }
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
    private func bindResolved(_ host: String, port: Int, backlog: Int32) throws -> [Int32] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var result: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, result != nil else {
            throw HTTPServerError("Cannot resolve listen host \(host): \(String(cString: gai_strerror(rc)))")
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
            } catch let error as HTTPServerError where [EADDRNOTAVAIL, EAFNOSUPPORT, EPROTONOSUPPORT].contains(error.code ?? 0) {
                passedOver = error
            } catch {
                for fd in fds { close(fd) }
                throw error
            }
        }
        guard !fds.isEmpty else { throw passedOver ?? HTTPServerError("Cannot resolve listen host \(host): no address") }
        return fds
    }

    private static func text(_ family: Int32, _ address: UnsafeRawPointer) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        inet_ntop(family, address, &buffer, socklen_t(buffer.count))
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private func bindV4(_ address: in_addr_t, port: Int, backlog: Int32, display: String) throws -> Int32 {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = in_port_t(UInt16(port).bigEndian)
        sin.sin_addr = in_addr(s_addr: address)
        return try withUnsafePointer(to: &sin) {
            try Socket.listen(family: AF_INET, address: $0, length: socklen_t(MemoryLayout<sockaddr_in>.size),
                              v6Only: nil, backlog: backlog, display: display)
        }
    }

    private func bindV6(_ address: in6_addr, port: Int, v6Only: Bool, backlog: Int32, display: String) throws -> Int32 {
        var sin6 = sockaddr_in6()
        sin6.sin6_family = sa_family_t(AF_INET6)
        sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
        sin6.sin6_addr = address
        return try withUnsafePointer(to: &sin6) {
            try Socket.listen(family: AF_INET6, address: $0, length: socklen_t(MemoryLayout<sockaddr_in6>.size),
                              v6Only: v6Only, backlog: backlog, display: display)
        }
    }
}
