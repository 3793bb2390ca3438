import Dispatch
import Synchronization

/// Serializes write transactions, first come first served, without tying up a thread while
/// one waits: an async writer that finds the lock held suspends (its thread goes on with
/// other work), a synchronous one (tools, tests) blocks. Transactions are short, except an
/// import's, which parses a whole file against the state it applies to; other writers must
/// queue behind that without holding threads, so the server's event loops and its small
/// cooperative pool keep working.
final class WriterLock: Sendable {
    private struct State {
        var held = false
        /// Each waiter is handed the lock (it stays held) when it is its turn.
        var waiters: [@Sendable () -> Void] = []
        var head = 0
    }

    private let state = Mutex(State())

    /// Takes the lock, suspending while another writer has it (and not hopping executors
    /// when it is free).
    nonisolated(nonsending) func acquire() async {
        if tryAcquire() { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            enqueue { continuation.resume() }
        }
    }

    /// Takes the lock, blocking the calling thread while another writer has it.
    func acquireBlocking() {
        if tryAcquire() { return }
        let granted = DispatchSemaphore(value: 0)
        enqueue { granted.signal() }
        granted.wait()
    }

    /// Writers queued behind the holder.
    var waiting: Int { state.withLock { $0.waiters.count - $0.head } }

    /// Hands the lock to the next waiter, or frees it.
    func release() {
        let next = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.head < state.waiters.count else {
                state.held = false
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
                return nil
            }
            let next = state.waiters[state.head]
            state.head += 1
            return next
        }
        next?()
    }

    private func tryAcquire() -> Bool {
        state.withLock { state in
            if state.held { return false }
            state.held = true
            return true
        }
    }

    /// Queues `grant`, or calls it at once if the lock was freed in the meantime.
    private func enqueue(_ grant: @escaping @Sendable () -> Void) {
        let acquired = state.withLock { state -> Bool in
            if !state.held {
                state.held = true
                return true
            }
            state.waiters.append(grant)
            return false
        }
        if acquired { grant() }
    }
}
