import Dispatch
import Synchronization

/// Runs `SnapshotSchedule`: the committer reports each durable batch here (one lock, no
/// I/O), and snapshots are written on this scheduler's own queue, so neither readers nor
/// writers ever wait for one. Time-based snapshots are woken by a Dispatch timer, whose
/// deadlines are on the monotonic clock too.
final class SnapshotScheduler: Sendable {
    private struct State {
        var schedule: SnapshotSchedule
        var stopping = false
        /// The wake-up already asked of Dispatch, so that a burst of commits asks for one.
        var wakeArmed: ContinuousClock.Instant?
    }

    private let queue = DispatchQueue(label: "carewatch.store.snapshot")
    private let state: Mutex<State>
    private let snapshot: @Sendable () throws(StoreError) -> Void
    private let log: @Sendable (String) -> Void

    /// `snapshot` writes one (it reports what it wrote through `written`).
    init(schedule: SnapshotSchedule, log: @escaping @Sendable (String) -> Void, snapshot: @escaping @Sendable () throws(StoreError) -> Void) {
        state = Mutex(State(schedule: schedule))
        self.log = log
        self.snapshot = snapshot
    }

    var changesSinceSnapshot: Int { state.withLock { $0.schedule.changesSinceSnapshot } }

    /// From the committer: everything through `generation` is durable.
    func committed(through generation: UInt64) {
        let now = ContinuousClock.now
        let action = state.withLock { state in
            state.schedule.committed(through: generation, at: now)
            return decide(&state, now: now)
        }
        perform(action)
    }

    /// A snapshot of `generation` is on disk.
    func written(generation: UInt64) {
        let now = ContinuousClock.now
        state.withLock { $0.schedule.written(generation: generation, at: now) }
    }

    /// Returns once a snapshot running in the background has finished.
    func waitForSnapshot() { queue.sync {} }

    /// No more scheduled snapshots; waits for one in progress.
    func stop() {
        state.withLock { $0.stopping = true }
        queue.sync {}
    }

    // MARK: internals

    /// Caller holds the lock. Marks a snapshot as started, or arms the next wake-up.
    private func decide(_ state: inout State, now: ContinuousClock.Instant) -> SnapshotSchedule.Action {
        guard !state.stopping else { return .idle }
        let action = state.schedule.next(at: now)
        switch action {
        case .snapshot:
            state.schedule.started()
        case .wake(let at):
            if let armed = state.wakeArmed, armed <= at { return .idle }
            state.wakeArmed = at
        case .idle:
            break
        }
        return action
    }

    private func perform(_ action: SnapshotSchedule.Action) {
        switch action {
        case .snapshot:
            queue.async { [weak self] in self?.runSnapshot() }
        case .wake(let at):
            let delay = max(.zero, at - ContinuousClock.now)
            let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
            queue.asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds))) { [weak self] in self?.wake(armedFor: at) }
        case .idle:
            break
        }
    }

    private func wake(armedFor instant: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        let action = state.withLock { state in
            if state.wakeArmed == instant { state.wakeArmed = nil }
            return decide(&state, now: now)
        }
        perform(action)
    }

    private func runSnapshot() {
        var failed = false
        do {
            try snapshot()
        } catch {
            failed = true
            log("background snapshot failed (the journal still has every change): \(error)")
        }
        let now = ContinuousClock.now
        let action = state.withLock { state in
            state.schedule.finished(failed: failed, at: now)
            return decide(&state, now: now)
        }
        perform(action)
    }
}
