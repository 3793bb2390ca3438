import Foundation
import Synchronization

/// One durable write as the journal holds it. Commit subscribers (history, the change feed)
/// get these in sequence order, with no gap, as soon as they are durable.
public struct CommittedRecord: Sendable, Equatable {
    /// The journal sequence number, which is also the store's generation after this write.
    public let sequence: UInt64
    public let committedAt: Timestamp
    /// As applied: council names resolved to codes, generated ids filled in.
    public let changes: [Change]
    /// What made the write (nil when not said).
    public let origin: Origin?
    /// The change-feed numbers of the records it changed (`StoreState.history`).
    public let changeSequence: ClosedRange<UInt64>
}

/// What a write gets back once it is durable.
public struct Committed<Value: Sendable>: Sendable {
    /// What the transaction returned.
    public let result: Value
    /// The state as of this write (later writes may already be in it).
    public let state: StoreState
    /// The changes as applied and journaled; empty when the write changed nothing.
    public let changes: [Change]
}

/// How a submitted write ended.
enum Settlement<Value: Sendable>: Sendable {
    case committed(Committed<Value>)
    case failed(StoreError)
    /// It changed nothing, but a failed batch took back part of the state it read: run the
    /// transaction again on what is durable.
    case rerun
}

/// The write path. A writer (holding the `WriterLock`) runs its transaction against the
/// newest state, which may not be durable yet, and queues the resulting journal record with
/// a completion; it never waits here. The committer thread takes everything queued, writes
/// it with one `pwrite` + `fdatasync` (group commit), publishes the new state for readers,
/// tells the commit subscribers, and then completes each write. If the disk fails, the batch
/// and everything queued behind it are refused and the unpublished states dropped: memory
/// and files stay as they were.
final class CommitPipeline: @unchecked Sendable {
    private struct Pending {
        /// nil for a write that changed nothing: it completes, with the state it read, once
        /// that state is durable.
        var record: CommittedRecord?
        var bytes: [UInt8]
        var state: StoreState
        var complete: @Sendable (Outcome) -> Void
    }

    private enum Outcome {
        case durable(StoreState)
        case failed(StoreError)
        case rerun
    }

    struct Counters {
        /// Writes made durable, and the fdatasync calls that did it.
        var commits = 0
        var syncs = 0
        var failed = 0
        /// The most writes one fdatasync has carried.
        var largestBatch = 0
    }

    let writerLock = WriterLock()
    private let published: Mutex<StateSnapshot>
    private let journal: JournalWriter
    private let segmentBytes: Int
    private let clock: WallClock
    private let onDurable: @Sendable ([CommittedRecord]) -> Void
    private let committerDone = DispatchSemaphore(value: 0)

    // Guarded by `condition`, which the committer also waits on for work.
    private let condition = NSCondition()
    private var pendingState: StoreState
    private var durableState: StoreState
    private var queue: [Pending] = []
    private var batchInFlight = false
    /// Bumped when a failed batch drops the states built on it, so that a transaction that
    /// ran on one of them meanwhile is refused too.
    private var epoch: UInt64 = 0
    private var lastFailure: StoreError?
    private var closedReason: String?
    private var stopping = false
    private var rotateRequested = false
    private var counters = Counters()

    /// `onDurable` runs on the committer thread after each durable batch, before its writers
    /// are answered: it must not block.
    init(state: StoreState, journal: JournalWriter, segmentBytes: Int, clock: WallClock, onDurable: @escaping @Sendable ([CommittedRecord]) -> Void) {
        published = Mutex(StateSnapshot(state))
        pendingState = state
        durableState = state
        self.journal = journal
        self.segmentBytes = segmentBytes
        self.clock = clock
        self.onDurable = onDurable
        let thread = Thread { [self] in
            runCommitter()
            committerDone.signal()
        }
        thread.name = "carewatch-committer"
        thread.start()
    }

    /// The latest durable state, boxed (a reader takes one reference).
    var snapshot: StateSnapshot { published.withLock { $0 } }

    /// The latest durable state.
    var state: StoreState { snapshot.state }

    var statistics: Counters { condition.withLock { counters } }

    /// Whether the journal refuses appends since an undo failed. Read it after `stop()`.
    var journalBroken: Bool { condition.withLock { journal.broken != nil } }

    // MARK: writing

    /// Runs `transaction` against the newest state and queues its changes; `completion` is
    /// called (on the committer thread) once they are durable or have failed. Errors from the
    /// transaction or from a store rule are thrown here, and nothing is queued. The caller
    /// must hold `writerLock`.
    ///
    /// A write whose puts all match the stored records changes nothing (`StoreState.apply`
    /// leaves them out): it journals nothing, moves no version, and completes with the state
    /// it read once that is durable. The transaction also says what made the write (its
    /// origin, journaled with it).
    func submit<T: Sendable>(_ transaction: (StoreState) throws -> (changes: [Change], result: T, origin: Origin?),
                             completion: @escaping @Sendable (Settlement<T>) -> Void) throws {
        condition.lock()
        if let closedReason {
            condition.unlock()
            throw StoreError.closed(closedReason)
        }
        let base = pendingState
        let baseEpoch = epoch
        condition.unlock()

        let outcome = try transaction(base)
        let origin = outcome.origin
        var next = base
        var record: CommittedRecord?
        var bytes: [UInt8] = []
        if !outcome.changes.isEmpty {
            let sequence = base.generation + 1
            let now = clock.now()
            let resolved = try next.apply(outcome.changes, sequence: sequence, at: now, today: now.date, origin: origin)
            if resolved.isEmpty {
                next = base
            } else {
                let changeSequence = (base.history.latest + 1)...next.history.latest
                record = CommittedRecord(sequence: sequence, committedAt: now, changes: resolved, origin: origin, changeSequence: changeSequence)
                bytes = JournalRecord(sequence: sequence, at: now, changes: resolved, origin: origin, changeSequence: changeSequence).encode()
            }
        }
        let result = outcome.result
        let changes = record?.changes ?? []
        let pending = Pending(record: record, bytes: bytes, state: next) { settled in
            switch settled {
            case .durable(let state): completion(.committed(Committed(result: result, state: state, changes: changes)))
            case .failed(let error): completion(.failed(error))
            case .rerun: completion(.rerun)
            }
        }

        condition.lock()
        if epoch != baseEpoch, let lastFailure {
            // A failed batch took back part of what the transaction read.
            condition.unlock()
            if record == nil {
                pending.complete(.rerun)
                return
            }
            throw lastFailure
        }
        if let closedReason {
            condition.unlock()
            throw StoreError.closed(closedReason)
        }
        if record == nil && queue.isEmpty && !batchInFlight {
            // Nothing to persist and nothing it read is still on its way to the disk.
            condition.unlock()
            pending.complete(.durable(base))
            return
        }
        if record != nil { pendingState = next }
        queue.append(pending)
        condition.signal()
        condition.unlock()
    }

    /// The next batch starts a new journal segment (after a snapshot, so the old one can go).
    func requestRotation() { condition.withLock { rotateRequested = true } }

    // MARK: committer

    private func runCommitter() {
        var batch: [Pending] = []
        var bytes: [UInt8] = []
        condition.lock()
        while true {
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { break }   // stopping, and everything queued is settled
            swap(&batch, &queue)
            batchInFlight = true
            let rotate = rotateRequested || journal.size >= segmentBytes
            condition.unlock()

            let records = batch.compactMap(\.record)
            var failure: StoreError?
            if !records.isEmpty {
                do {
                    if rotate { try journal.rotate(nextSequence: records[0].sequence) }
                    if batch.count == 1 {
                        try journal.append(batch[0].bytes)
                    } else {
                        bytes.removeAll(keepingCapacity: true)
                        for pending in batch { bytes += pending.bytes }
                        try journal.append(bytes)
                    }
                } catch {
                    failure = error
                }
            }

            condition.lock()
            batchInFlight = false
            var settled = batch
            if let failure {
                // Refuse the batch and everything built on it; go back to what is durable.
                settled += queue
                queue.removeAll()
                counters.failed += settled.count { $0.record != nil }
                pendingState = durableState
                epoch += 1
                lastFailure = failure
                if let broken = journal.broken {
                    closedReason = "the journal could not be restored after a failed write (\(broken))"
                }
            } else if let last = batch.last(where: { $0.record != nil }) {
                if rotate { rotateRequested = false }
                durableState = last.state
                let snapshot = StateSnapshot(last.state)
                published.withLock { $0 = snapshot }
                counters.commits += records.count
                counters.syncs += 1
                counters.largestBatch = max(counters.largestBatch, records.count)
            }
            condition.unlock()

            if failure == nil && !records.isEmpty { onDurable(records) }
            for pending in settled {
                if let failure {
                    pending.complete(pending.record == nil ? .rerun : .failed(failure))
                } else {
                    pending.complete(.durable(pending.state))
                }
            }
            batch.removeAll(keepingCapacity: true)
            condition.lock()
        }
        condition.unlock()
    }

    // MARK: closing

    /// Refuses new writes, lets the queued ones settle, and stops the committer. Idempotent.
    func stop() {
        condition.lock()
        if stopping {
            condition.unlock()
            return
        }
        stopping = true
        if closedReason == nil { closedReason = "the store is closed" }
        condition.signal()
        condition.unlock()
        committerDone.wait()
    }

    /// After `stop()`.
    func closeJournal() { journal.close() }
}
