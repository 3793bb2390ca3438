import Synchronization

/// Events the engine handles on its own, counted for monitoring: each is a client or handler
/// that misbehaved, and each is invisible in request metrics unless counted here.
final class EngineCounters: Sendable {
    let responseTimeouts = Atomic<UInt64>(0)
    let requestTimeouts = Atomic<UInt64>(0)
    let slowReaders = Atomic<UInt64>(0)
    let streamsCutOff = Atomic<UInt64>(0)
    let acceptBackoffs = Atomic<UInt64>(0)

    var snapshot: HTTPServer.Statistics {
        HTTPServer.Statistics(
            responseTimeouts: responseTimeouts.load(ordering: .relaxed),
            requestTimeouts: requestTimeouts.load(ordering: .relaxed),
            slowReadersDisconnected: slowReaders.load(ordering: .relaxed),
            streamsCutOff: streamsCutOff.load(ordering: .relaxed),
            acceptBackoffs: acceptBackoffs.load(ordering: .relaxed))
    }
}

extension Atomic where Value == UInt64 {
    @inline(__always)
    func increment() { wrappingAdd(1, ordering: .relaxed) }
}
