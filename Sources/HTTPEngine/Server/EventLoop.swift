import Dispatch
import Glibc
import Synchronization

/// One serial queue with the connections it owns. Everything about those connections happens on
/// this queue, so their state needs no locks. The connections' sockets are in one epoll set
/// whose readiness a single Dispatch source reports, so one wake-up serves every ready
/// connection; and a single periodic sweep enforces all deadlines, instead of a timer per
/// connection.
final class EventLoop: @unchecked Sendable {
    static let specificKey = DispatchSpecificKey<UInt64>()
    private static let nextID = Atomic<UInt64>(1)

    let id: UInt64
    let queue: DispatchQueue
    let context: ServerContext
    /// Reused for every read on this loop: connections keep no receive buffer while idle.
    let readBuffer: UnsafeMutableRawBufferPointer
    let resources = LoopResources()
    let poller = Poller()
    private var connections: [UInt64: Connection] = [:]
    private var timer: DispatchSourceTimer?
    private var readiness: DispatchSourceRead?

    init(index: Int, context: ServerContext) {
        id = EventLoop.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        queue = DispatchQueue(label: "httpengine.loop.\(index)", qos: .userInitiated)
        queue.setSpecific(key: EventLoop.specificKey, value: id)
        self.context = context
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit { readBuffer.deallocate() }

    var isCurrent: Bool { DispatchQueue.getSpecific(key: EventLoop.specificKey) == id }

    /// Starts delivering the epoll set's events on this loop's queue.
    func startPolling() {
        dispatchPrecondition(condition: .onQueue(queue))
        let source = DispatchSource.makeReadSource(fileDescriptor: poller.fd, queue: queue)
        source.setEventHandler { [weak self] in self?.pollReady() }
        // The set's descriptor is closed only after Dispatch has let go of it.
        source.setCancelHandler { [poller] in poller.closeDescriptor() }
        source.resume()
        readiness = source
    }

    func stopPolling() {
        readiness?.cancel()
        readiness = nil
    }

    /// Serves every ready connection, and keeps going (a bounded number of rounds) while more
    /// become ready, so a busy loop stays on its thread instead of going back through Dispatch
    /// for each event.
    private func pollReady() {
        for _ in 0..<8 {
            let n = poller.poll { token, events in
                connections[token]?.ready(events)
            }
            if n == 0 { return }
        }
    }

    /// Sweeps often enough that no deadline is late by more than a quarter of the shortest one.
    func startSweeping() {
        dispatchPrecondition(condition: .onQueue(queue))
        let t = context.timeouts
        let candidates = [t.header, t.body, t.idle, t.write, t.response, t.linger] + (t.minimumRate == nil ? [] : [t.rateGrace])
        let shortest = candidates.filter { $0 > 0 }.min() ?? 1_000_000_000
        let interval = min(1_000_000_000, max(10_000_000, shortest / 4))
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .nanoseconds(Int(interval)), repeating: .nanoseconds(Int(interval)),
                       leeway: .nanoseconds(Int(interval / 4)))
        timer.setEventHandler { [weak self] in self?.sweep() }
        timer.resume()
        self.timer = timer
    }

    func stopSweeping() {
        timer?.cancel()
        timer = nil
    }

    private func sweep() {
        let now = coarseMonotonicNanos()
        var expired: [Connection] = []
        for (_, c) in connections where c.deadline <= now { expired.append(c) }
        for c in expired { c.tick() }
        _ = resources.dateCache.current()
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
        for c in Array(connections.values) { c.forceClose() }
    }
}
