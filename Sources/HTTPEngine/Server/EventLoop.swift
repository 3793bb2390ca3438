import Dispatch
import Glibc
import Synchronization

/// One serial queue with the connections it owns. Everything about those connections happens on
/// this queue, so their state needs no locks. A single periodic sweep per loop enforces all
/// timeouts, instead of a timer per connection.
final class EventLoop: @unchecked Sendable {
    static let specificKey = DispatchSpecificKey<UInt64>()
    private static let nextID = Atomic<UInt64>(1)

    let id: UInt64
    let queue: DispatchQueue
    let context: ServerContext
    /// Reused for every read on this loop: connections keep no receive buffer while idle.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Output buffer lent to whichever connection is writing; returned once that connection drains.
    var spareOutput: [UInt8] = []
    var dateCache = DateCache()
    var connections: [UInt64: Connection] = [:]
    private var timer: DispatchSourceTimer?

    init(index: Int, context: ServerContext) {
        id = EventLoop.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        queue = DispatchQueue(label: "httpengine.loop.\(index)", qos: .userInitiated)
        queue.setSpecific(key: EventLoop.specificKey, value: id)
        self.context = context
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        spareOutput.reserveCapacity(4096)
    }

    deinit { readBuffer.deallocate() }

    var isCurrent: Bool { DispatchQueue.getSpecific(key: EventLoop.specificKey) == id }

    func startSweeping() {
        let c = context.configuration
        let shortest = [c.headerTimeout, c.bodyTimeout, c.idleTimeout, c.writeTimeout, c.lingerTimeout].min() ?? 1
        let interval = min(1.0, max(0.01, shortest / 4))
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(Int(interval * 250)))
        t.setEventHandler { [weak self] in self?.sweep() }
        t.resume()
        timer = t
    }

    func stopSweeping() {
        timer?.cancel()
        timer = nil
    }

    private func sweep() {
        let now = coarseMonotonicNanos()
        var expired: [Connection] = []
        for (_, c) in connections where c.deadline <= now { expired.append(c) }
        for c in expired { c.deadlinePassed() }
        _ = dateCache.current()
    }

    func register(_ connection: Connection) {
        connections[connection.id] = connection
    }

    func unregister(_ connection: Connection) {
        connections.removeValue(forKey: connection.id)
    }

    /// Graceful drain: idle connections close now, busy ones finish their request and then close.
    func beginDrain() {
        for c in Array(connections.values) { c.drain() }
    }

    func closeAll() {
        for c in Array(connections.values) { c.close() }
    }
}
