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
    public var headerTimeout: Double = 10
    public var bodyTimeout: Double = 30
    public var idleTimeout: Double = 60
    public var writeTimeout: Double = 30
    public var drainTimeout: Double = 10
    public var lengthRequiredMethods: Set<HTTPMethod> = [.post, .put, .patch]
    /// Value of the `Server` header; nil sends none.
    public var serverName: String? = nil
    /// Listen backlog.
    public var backlog: Int = 1024
    /// How long to wait, after an error answer, for the client to stop sending before closing,
    /// so the kernel does not reset the connection and destroy the answer in flight.
    public var lingerTimeout: Double = 2
    /// Most bytes of answers to pipelined requests queued on one connection before the engine
    /// stops working through that client's further requests until the socket drains.
    public var maxPipelineBytes = 64 * 1024

    public init() {}
}
