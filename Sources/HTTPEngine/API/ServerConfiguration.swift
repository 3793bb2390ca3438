import Glibc

/// Every limit the engine enforces, so tests can shrink timeouts and deployments can tune them.
public struct ServerConfiguration: Sendable {
    /// "0.0.0.0", "::" (dual stack), "127.0.0.1", "::1", "*" for separate v4 and v6 sockets, or a host
    /// name, which listens on every address it resolves to.
    public var host: String = "0.0.0.0"
    public var port: Int = 8080
    public var eventLoopCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    public var maxConnections: Int = 10_000
    public var maxRequestLineBytes = 8 * 1024
    public var maxHeaderBytes = 16 * 1024
    public var maxHeaderCount = 100
    public var maxBodyBytes = 1 << 20

    /// A request head must be complete this long after its first byte (408 after). A new
    /// connection that sends nothing at all is closed after this long too.
    public var headerTimeout: Duration = .seconds(10)
    /// The whole body must arrive within this, counted from the end of the head, however
    /// steadily it trickles (408 after). With `headerTimeout` it bounds the whole request.
    public var bodyTimeout: Duration = .seconds(30)
    /// A keep-alive connection with no request in progress is closed after this.
    public var idleTimeout: Duration = .seconds(60)
    /// A client that takes none of a waiting response for this long is disconnected.
    public var writeTimeout: Duration = .seconds(30)
    /// A handler must answer within this (503 after, the connection closed, a late answer dropped).
    /// Once a streamed response's head is sent, only the write deadlines apply.
    public var responseTimeout: Duration = .seconds(30)
    /// Slowest transfer accepted, averaged, after a grace period: request bodies arriving slower
    /// get 408; clients reading a waiting response slower are disconnected. nil turns it off.
    public var minimumDataRate: MinimumDataRate? = MinimumDataRate(bytesPerSecond: 240, grace: .seconds(5))
    /// How long `shutdown()` lets in-flight requests finish before closing what is left.
    public var drainTimeout: Duration = .seconds(10)
    /// How long to wait, after an answer that ends the connection, for the client to stop
    /// sending before closing, so the kernel does not reset the connection and destroy the
    /// answer in flight.
    public var lingerTimeout: Duration = .seconds(2)

    public var lengthRequiredMethods: Set<HTTPMethod> = [.post, .put, .patch]
    /// Value of the `Server` header; nil sends none.
    public var serverName: String? = nil
    /// Listen backlog.
    public var backlog: Int = 1024
    /// Most bytes of answers to pipelined requests queued on one connection before the engine
    /// stops working through that client's further requests until the socket drains.
    public var maxPipelineBytes = 64 * 1024

    /// Process-wide: set SIGPIPE to be ignored at `start()`. The engine itself never needs it
    /// (every send uses MSG_NOSIGNAL), but a process whose standard output is a pipe does.
    public var ignoresSIGPIPE = false
    /// Process-wide: raise the soft descriptor limit towards the hard one at `start()` so that
    /// `maxConnections` can be reached (the usual soft limit is 1024).
    public var raisesDescriptorLimit = false

    public init() {}
}

/// A floor on transfer speed, as Kestrel enforces it: averaged over the whole transfer so far,
/// and only after `grace`, so a slow start or a short pause is not punished.
public struct MinimumDataRate: Sendable, Equatable {
    public var bytesPerSecond: Int
    public var grace: Duration

    public init(bytesPerSecond: Int, grace: Duration) {
        precondition(bytesPerSecond > 0, "a minimum data rate must be positive; use nil to turn it off")
        self.bytesPerSecond = bytesPerSecond
        self.grace = grace
    }
}
