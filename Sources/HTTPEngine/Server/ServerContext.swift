import Dispatch
import Synchronization

/// What every connection needs from the server, shared read-only (plus a few atomics) so that
/// connections never reach back into the server object.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let limits: ParserLimits
    let timeouts: ConnectionTimeouts
    let handler: HTTPHandler
    /// Whether `handler` runs the engine's own error answers through its middleware (a router
    /// does: see `HTTPRequest.engineResponse`); a bare handler never sees them.
    let routesEngineErrors: Bool
    let bodyLimitFor: @Sendable (HTTPMethod, String) -> Int?
    let serverHeaderLine: [UInt8]?
    /// An array, not the configuration's Set: a short linear scan beats hashing a String per request.
    let lengthRequiredMethods: [HTTPMethod]
    let openConnections = Atomic<Int>(0)
    let draining = Atomic<Bool>(false)
    let counters = EngineCounters()
    /// Signalled when the last connection closes during a drain, so `shutdown` waits for an
    /// event instead of polling.
    let lastConnectionClosed = DispatchSemaphore(value: 0)

    init(configuration: ServerConfiguration, handler: @escaping HTTPHandler, routesEngineErrors: Bool,
         bodyLimitFor: @escaping @Sendable (HTTPMethod, String) -> Int?) {
        self.configuration = configuration
        self.limits = ParserLimits(configuration)
        self.timeouts = ConnectionTimeouts(configuration)
        self.handler = handler
        self.routesEngineErrors = routesEngineErrors
        self.bodyLimitFor = bodyLimitFor
        self.lengthRequiredMethods = Array(configuration.lengthRequiredMethods)
        if let name = configuration.serverName {
            serverHeaderLine = Array("Server: \(name)\r\n".utf8)
        } else {
            serverHeaderLine = nil
        }
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }

    func connectionOpened() {
        openConnections.wrappingAdd(1, ordering: .relaxed)
    }

    func connectionClosed() {
        let left = openConnections.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue
        if left == 0 && isDraining { lastConnectionClosed.signal() }
    }
}

/// The configuration's durations in nanoseconds, converted once rather than per request.
struct ConnectionTimeouts: Sendable {
    var header: UInt64
    var body: UInt64
    var idle: UInt64
    var write: UInt64
    var response: UInt64
    var linger: UInt64
    /// Bytes per second, or nil when no minimum rate is enforced.
    var minimumRate: UInt64?
    var rateGrace: UInt64

    init(_ c: ServerConfiguration) {
        header = c.headerTimeout.nanoseconds
        body = c.bodyTimeout.nanoseconds
        idle = c.idleTimeout.nanoseconds
        write = c.writeTimeout.nanoseconds
        response = c.responseTimeout.nanoseconds
        linger = c.lingerTimeout.nanoseconds
        minimumRate = c.minimumDataRate.map { UInt64($0.bytesPerSecond) }
        rateGrace = c.minimumDataRate?.grace.nanoseconds ?? 0
    }

    /// The instant at which `bytes` transferred since `start` fall below the minimum rate.
    func rateDeadline(since start: MonotonicInstant, bytes: Int) -> MonotonicInstant? {
        guard let rate = minimumRate else { return nil }
        let b = UInt64(max(0, bytes))
        let earned = (b / rate) &* 1_000_000_000 &+ (b % rate) &* 1_000_000_000 / rate
        return start + max(rateGrace, earned)
    }
}
