import CEngineSystem
import Glibc

/// One epoll set for the connections of one event loop. Dispatch still drives the loop (a read
/// source on this set's descriptor wakes the loop's queue, and everything runs there), but one
/// wake-up now serves every connection that is ready instead of one Dispatch source, one thread
/// hand-off and one re-arm per connection per event. Level-triggered: a connection that stops
/// reading removes its read interest. Touched only on its loop's queue.
final class Poller: @unchecked Sendable {
    let fd: Int32
    private let events: UnsafeMutableBufferPointer<epoll_event>
    private var closed = false

    static let readable = EPOLLIN.rawValue
    static let writable = EPOLLOUT.rawValue
    static let hangUp = EPOLLHUP.rawValue | EPOLLERR.rawValue

    init() {
        fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(fd >= 0, "epoll_create1 failed: \(String(cString: strerror(errno)))")
        events = .allocate(capacity: 256)
    }

    deinit {
        events.deallocate()
        closeDescriptor()
    }

    /// Once Dispatch no longer watches the set (its source's cancel handler), or at the end.
    func closeDescriptor() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    /// Watches `socket` for `interest`; `token` comes back with its events.
    func add(_ socket: Int32, token: UInt64, interest: UInt32) -> Bool {
        control(EPOLL_CTL_ADD, socket, token, interest)
    }

    func modify(_ socket: Int32, token: UInt64, interest: UInt32) {
        _ = control(EPOLL_CTL_MOD, socket, token, interest)
    }

    /// Must come before the socket is closed, so no event for a reused number can arrive.
    func remove(_ socket: Int32) {
        _ = control(EPOLL_CTL_DEL, socket, 0, 0)
    }

    private func control(_ op: Int32, _ socket: Int32, _ token: UInt64, _ interest: UInt32) -> Bool {
        var event = epoll_event()
        event.events = interest
        event.data.u64 = token
        return epoll_ctl(fd, op, socket, &event) == 0
    }

    /// The events ready now, without waiting; `body` gets each token and its events.
    func poll(_ body: (UInt64, UInt32) -> Void) -> Int {
        var n: Int32
        repeat { n = epoll_wait(fd, events.baseAddress, Int32(events.count), 0) } while n < 0 && errno == EINTR
        guard n > 0 else { return 0 }
        for i in 0..<Int(n) { body(events[i].data.u64, events[i].events) }
        return Int(n)
    }
}
