import Dispatch
import Glibc
import Synchronization

/// One listening socket. Accepts until EAGAIN on each wake-up and deals connections round-robin
/// to the event loops. When the process runs out of descriptors (EMFILE/ENFILE) it stops
/// accepting for 100 ms instead of spinning on a socket that stays readable.
final class Listener: @unchecked Sendable {
    let fd: Int32
    let queue: DispatchQueue
    let loops: [EventLoop]
    let context: ServerContext
    private var source: DispatchSourceRead?
    private var suspended = false
    private var cancelled = false
    private var nextLoop = 0
    private static let nextConnectionID = Atomic<UInt64>(1)

    /// The whole answer to a connection refused at accept (too many open, or draining): sent
    /// without reading the request, so nothing about it is known and no middleware runs.
    static func refusal(detail: String, date: [UInt8]) -> [UInt8] {
        var problem = ProblemDetails(.serviceUnavailable, detail: detail)
        problem.headers.add("Retry-After", "1")
        let response = problem.response
        var out: [UInt8] = []
        ResponseSerializer.writeHead(status: response.status, headers: response.headers, body: response.body, bodyForbidden: false,
                                     chunked: false, close: true, http10: false, date: date, server: nil, into: &out)
        if case .bytes(let body) = response.body { out.append(contentsOf: body) }
        return out
    }

    init(fd: Int32, loops: [EventLoop], context: ServerContext) {
        self.fd = fd
        self.loops = loops
        self.context = context
        self.queue = DispatchQueue(label: "httpengine.accept", qos: .userInitiated)
    }

    func start() {
        let s = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        s.setEventHandler { [self] in self.acceptAll() }
        let fd = self.fd
        s.setCancelHandler { Glibc.close(fd) }
        source = s
        s.resume()
    }

    /// Stops accepting and closes the socket (on the accept queue, so no accept races it).
    func stop() {
        queue.sync {
            guard !cancelled, let s = source else { return }
            cancelled = true
            s.cancel()
            if suspended { s.resume(); suspended = false }
        }
    }

    private func acceptAll() {
        while !cancelled {
            var storage = sockaddr_storage()
            var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let cfd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(fd, $0, &len)
                }
            }
            if cfd < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: backOff(); return
                default: return   // EAGAIN and anything unexpected: wait for the next wake-up
                }
            }
            _ = fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(cfd, F_SETFD, FD_CLOEXEC)
            if context.openConnections.load(ordering: .relaxed) >= context.configuration.maxConnections || context.isDraining {
                let detail = context.isDraining ? "The server is shutting down" : "Too many open connections"
                Listener.refusal(detail: detail, date: DateCache.format(time(nil))).withUnsafeBytes { b in
                    _ = send(cfd, b.baseAddress, b.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
                }
                shutdown(cfd, Int32(SHUT_WR))
                Glibc.close(cfd)
                continue
            }
            Socket.setOption(cfd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            context.connectionOpened()
            let remote = withUnsafePointer(to: &storage) { Socket.describe($0) }
            let loop = loops[nextLoop]
            nextLoop = (nextLoop + 1) % loops.count
            let id = Listener.nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
            loop.queue.async {
                let connection = Connection(id: id, fd: cfd, loop: loop, remoteAddress: remote)
                loop.register(connection)
                connection.start()
            }
        }
    }

    private func backOff() {
        guard let s = source, !suspended else { return }
        context.counters.acceptBackoffs.increment()
        s.suspend()
        suspended = true
        queue.asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in
            guard suspended, !cancelled, let source else { return }
            suspended = false
            source.resume()
        }
    }
}
