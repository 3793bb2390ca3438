import Foundation
import Synchronization

/// The durable in-memory store.
///
/// Reads: `state` returns the latest durable `StoreState`, an immutable value behind a
/// reference swap, so readers never wait for a writer's I/O.
///
/// Writes: `write` runs the caller's transaction against the newest (possibly not yet
/// durable) state under the writer lock, applies and encodes the resulting changes as one
/// journal record, queues it and waits. A committer thread takes everything queued, writes
/// it with one `pwrite` + `fdatasync` (group commit), then publishes the new state and wakes
/// the writers. If the disk fails, the whole batch and everything queued behind it is
/// refused and the unpublished states are dropped: memory and files stay as they were.
public final class Store: @unchecked Sendable {
    public let directory: String
    let options: StoreOptions
    let dataDirectory: DataDirectory
    private var claim: DataDirectoryClaim?
    /// There was nothing to load when this store opened (it seeded the embedded data, or
    /// started with nothing): the store a `--seed` document fills, and one `discard` may remove.
    public private(set) var startedEmpty = false

    private let published: Mutex<StoreState>

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var pendingState: StoreState
    private var durableState: StoreState
    private var queue: [Pending] = []
    private var nextTicket: UInt64 = 1
    /// Highest ticket that is durable or has failed (tickets settle in order).
    private var resolvedTicket: UInt64 = 0
    private var failures: [UInt64: StoreError] = [:]
    /// Times a failed batch sent the pending state back to the durable one: a write that
    /// changed nothing compares it before and after waiting, to know that what it compared
    /// against became durable.
    private var rollbacks = 0
    private var stopping = false
    private var closedReason: String?
    private var rotateRequested = false
    private var changesSinceSnapshot = 0
    private var firstChangeSinceSnapshotAt: Double?
    private var snapshotInFlight = false
    /// After a failed background snapshot (full disk), no retry before this time.
    private var snapshotRetryAt: Double = 0
    private var counters = (commits: 0, syncs: 0, failed: 0)

    private let journal: JournalWriter
    private let committerDone = DispatchSemaphore(value: 0)
    private let snapshotQueue = DispatchQueue(label: "carewatch.store.snapshot")
    private let snapshotLock = NSLock()
    private let snapshotInfo = Mutex<(generation: UInt64, at: Timestamp)?>(nil)

    private struct Pending {
        var ticket: UInt64
        var sequence: UInt64
        var bytes: [UInt8]
        var state: StoreState
    }

    // MARK: opening

    /// Opens (creating, 0700) the data directory: takes its lock, loads the newest valid
    /// snapshot, replays the journal after it, and seeds the embedded data when empty.
    public static func open(directory: URL, options: StoreOptions = .init()) throws(StoreError) -> Store {
        try open(path: directory.path, options: options)
    }

    public static func open(path: String, options: StoreOptions = .init()) throws(StoreError) -> Store {
        try open(try claim(path: path, options: options), options: options)
    }

    /// The first step of opening, which reads nothing: makes the directory if it is missing
    /// (unless `options.createDirectory` is false) and takes its lock, so that a directory in
    /// use is refused before anything else is started.
    public static func claim(path: String, options: StoreOptions = .init()) throws(StoreError) -> DataDirectoryClaim {
        try DataDirectoryClaim(path: path, create: options.createDirectory, fileSystem: FileSystem(faults: options.faults))
    }

    /// Loads a claimed directory. If this fails, the claim is released, and a directory that
    /// held no data is left as it was found.
    public static func open(_ claim: DataDirectoryClaim, options: StoreOptions = .init()) throws(StoreError) -> Store {
        let dataDirectory = DataDirectory(path: claim.path, fileSystem: claim.fileSystem)
        let loaded: Recovery.Loaded
        let journal: JournalWriter
        do throws(StoreError) {
            try dataDirectory.removeTemporaryFiles()
            loaded = try Recovery.load(dataDirectory, options: options, repair: true)
            if loaded.isEmpty && !options.startEmpty { throw StoreError.empty(directory: claim.path) }
            // Files that hold no record (an empty journal, a torn first write) are no data.
            if loaded.isEmpty { claim.heldNoData = true }
            if let last = loaded.lastSegment {
                journal = try JournalWriter(directory: dataDirectory, path: last.path, firstSequence: last.firstSequence, size: last.length)
            } else {
                journal = try JournalWriter(directory: dataDirectory, firstSequence: loaded.state.generation + 1)
            }
        } catch {
            claim.releaseRemovingWhatItMade()
            throw error
        }
        let store = Store(path: claim.path, options: options, dataDirectory: dataDirectory, claim: claim, state: loaded.state, journal: journal)
        store.changesSinceSnapshot = loaded.replayed
        store.startedEmpty = loaded.isEmpty
        if let snapshot = loaded.snapshot { store.snapshotInfo.withLock { $0 = snapshot } }
        store.startCommitter()
        do {
            if loaded.isEmpty && options.seedWhenEmpty {
                try store.seed()
            } else if loaded.needsCompaction {
                try store.compact()
            }
        } catch {
            let failure = error as? StoreError ?? StoreError.unrecoverable("seeding failed: \(error)")
            if store.startedEmpty { store.discard() } else { store.close() }
            throw failure
        }
        return store
    }

    private init(path: String, options: StoreOptions, dataDirectory: DataDirectory, claim: DataDirectoryClaim, state: StoreState, journal: JournalWriter) {
        directory = path
        self.options = options
        self.dataDirectory = dataDirectory
        self.claim = claim
        self.journal = journal
        published = Mutex(state)
        pendingState = state
        durableState = state
    }

    /// Loads the embedded default data as one write, then snapshots it.
    private func seed() throws {
        let document = SeedData.defaultDocument()
        var changes: [Change] = []
        changes.reserveCapacity(document.councils.count + document.inspections.count + document.workforce.count)
        changes += document.councils.map(Change.putCouncil)
        changes += document.inspections.map(Change.putInspection)
        changes += document.workforce.map(Change.putWorkforce)
        // Seeded records are trusted published data: no "not in the future" check, so that a
        // machine whose clock is behind still starts.
        _ = try commit(checkingDates: false) { _ in (changes, ()) }
        options.log("seeded \(dataDirectory.path) with the embedded default data: \(document.councils.count) councils, \(document.inspections.count) inspections, \(document.workforce.count) workforce rows")
        try compact()
    }

    // MARK: reading

    /// The latest durable state. Cheap (a retained reference copy), never blocks on I/O.
    public var state: StoreState { published.withLock { $0 } }

    public var statistics: StoreStatistics {
        let state = self.state
        let snapshot = snapshotInfo.withLock { $0 }
        condition.lock()
        let counters = self.counters
        let pendingChanges = changesSinceSnapshot
        condition.unlock()
        let segments = (try? dataDirectory.segments()) ?? []
        let bytes = segments.reduce(0) { $0 + (dataDirectory.fileSystem.fileSize($1.path) ?? 0) }
        return StoreStatistics(generation: state.generation, councils: state.councilCount, inspections: state.inspectionCount,
                               workforceRows: state.workforceCount, journalBytes: bytes, journalSegments: segments.count,
                               lastSnapshotGeneration: snapshot?.generation, lastSnapshotAt: snapshot?.at,
                               changesSinceSnapshot: pendingChanges, commits: counters.commits, syncs: counters.syncs,
                               failedCommits: counters.failed)
    }

    // MARK: writing

    /// Runs `transaction` against the newest state, serialized with other writers, and
    /// returns once its changes are durable, with the state as of this write. Errors thrown
    /// by the transaction come back unchanged; a change that breaks a store rule throws
    /// `ValidationError`; an I/O failure throws `StoreError` and nothing is applied. A write
    /// whose puts all match the stored records changes nothing: it journals nothing, moves
    /// no version and returns the state it read.
    public func write<T: Sendable>(_ transaction: (StoreState) throws -> (changes: [Change], result: T)) throws -> (result: T, state: StoreState) {
        let outcome = try commit(transaction)
        return (outcome.result, outcome.state)
    }

    /// `write`, also returning the changes that took effect, as applied (empty when nothing
    /// changed), for callers that report what a write did, such as a bulk import.
    public func writeReturningChanges<T: Sendable>(_ transaction: (StoreState) throws -> (changes: [Change], result: T)) throws -> (result: T, state: StoreState, changes: [Change]) {
        let outcome = try commit(transaction)
        return (outcome.result, outcome.state, outcome.resolved)
    }

    /// Applies `changes` as one durable write; returns them as applied (generated ids filled
    /// in, council names resolved to codes) and the resulting state.
    @discardableResult
    public func apply(_ changes: [Change]) throws -> (changes: [Change], state: StoreState) {
        let outcome = try commit { _ in (changes, ()) }
        return (outcome.resolved, outcome.state)
    }

    private func commit<T: Sendable>(
        checkingDates: Bool = true, _ transaction: (StoreState) throws -> (changes: [Change], result: T)
    ) throws -> (result: T, state: StoreState, resolved: [Change]) {
        condition.lock()
        while true {
            if let closedReason {
                condition.unlock()
                throw StoreError.closed(closedReason)
            }
            let base = pendingState
            let rollbacksBefore = rollbacks
            let outcome: (changes: [Change], result: T)
            var next = base
            let sequence = base.generation + 1
            let now = options.clock.now()
            let resolved: [Change]
            do {
                outcome = try transaction(base)
                resolved = outcome.changes.isEmpty ? [] : try next.apply(outcome.changes, sequence: sequence, at: now,
                                                                         today: checkingDates ? now.date : nil)
            } catch {
                condition.unlock()
                throw error
            }
            if resolved.isEmpty {
                // Nothing changes: no journal record, no new generation, no new version. The
                // answer is `base`, once everything it holds is durable; if a failed batch
                // took part of it back, run the transaction again on what is.
                let target = nextTicket - 1
                while resolvedTicket < target { condition.wait() }
                if rollbacks != rollbacksBefore { continue }
                condition.unlock()
                return (outcome.result, base, [])
            }
            let bytes = JournalRecord(sequence: sequence, at: now, changes: resolved).encode()
            let ticket = nextTicket
            nextTicket += 1
            pendingState = next
            queue.append(Pending(ticket: ticket, sequence: sequence, bytes: bytes, state: next))
            condition.broadcast()
            while resolvedTicket < ticket { condition.wait() }
            if let failure = failures.removeValue(forKey: ticket) {
                condition.unlock()
                throw failure
            }
            condition.unlock()
            return (outcome.result, next, resolved)
        }
    }

    // MARK: committer

    private func startCommitter() {
        let thread = Thread { [self] in
            runCommitter()
            committerDone.signal()
        }
        thread.name = "carewatch-committer"
        thread.start()
    }

    private func runCommitter() {
        condition.lock()
        while true {
            while queue.isEmpty && !stopping {
                if let deadline = snapshotDeadline() {
                    if Date().timeIntervalSince1970 >= deadline { break }
                    _ = condition.wait(until: Date(timeIntervalSince1970: deadline))
                } else {
                    condition.wait()
                }
            }
            if queue.isEmpty && stopping { break }
            if queue.isEmpty {
                startBackgroundSnapshotIfDue()
                continue
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            let rotate = rotateRequested || journal.size >= options.segmentBytes
            condition.unlock()

            var failure: StoreError?
            do {
                if rotate { try journal.rotate(nextSequence: batch[0].sequence) }
                var bytes: [UInt8] = []
                if batch.count == 1 {
                    bytes = batch[0].bytes
                } else {
                    bytes.reserveCapacity(batch.reduce(0) { $0 + $1.bytes.count })
                    for pending in batch { bytes += pending.bytes }
                }
                try journal.append(bytes)
            } catch {
                failure = error
            }

            condition.lock()
            if let failure {
                // Refuse the batch and everything built on it; go back to what is durable.
                for pending in batch + queue { failures[pending.ticket] = failure }
                resolvedTicket = (queue.last ?? batch[batch.count - 1]).ticket
                counters.failed += batch.count + queue.count
                queue.removeAll()
                pendingState = durableState
                rollbacks += 1
                if let broken = journal.broken {
                    closedReason = "the journal could not be restored after a failed write (\(broken))"
                }
            } else {
                if rotate { rotateRequested = false }
                let last = batch[batch.count - 1]
                resolvedTicket = last.ticket
                durableState = last.state
                published.withLock { $0 = last.state }
                counters.commits += batch.count
                counters.syncs += 1
                if changesSinceSnapshot == 0 { firstChangeSinceSnapshotAt = Date().timeIntervalSince1970 }
                changesSinceSnapshot += batch.count
            }
            condition.broadcast()
            startBackgroundSnapshotIfDue()
        }
        condition.unlock()
    }

    /// When the time-based snapshot is due (nil: nothing to snapshot). Caller holds `condition`.
    private func snapshotDeadline() -> Double? {
        guard changesSinceSnapshot > 0, !snapshotInFlight, let first = firstChangeSinceSnapshotAt else { return nil }
        return max(first + options.snapshotInterval, snapshotRetryAt)
    }

    /// Caller holds `condition`. Snapshots from the durable state on a background queue, so
    /// neither readers nor writers wait for it.
    private func startBackgroundSnapshotIfDue() {
        guard !snapshotInFlight, changesSinceSnapshot > 0, !stopping, Date().timeIntervalSince1970 >= snapshotRetryAt else { return }
        let dueByCount = changesSinceSnapshot >= options.snapshotEveryChanges
        let dueByTime = (firstChangeSinceSnapshotAt.map { Date().timeIntervalSince1970 - $0 >= options.snapshotInterval }) ?? false
        guard dueByCount || dueByTime else { return }
        snapshotInFlight = true
        snapshotQueue.async { [self] in
            var failed = false
            do {
                try compact()
            } catch {
                failed = true
                options.log("background snapshot failed (the journal still has every change): \(error)")
            }
            condition.lock()
            if failed { snapshotRetryAt = Date().timeIntervalSince1970 + min(max(options.snapshotInterval, 1), 30) }
            snapshotInFlight = false
            condition.broadcast()   // the committer may now wait for the next interval
            condition.unlock()
        }
    }

    // MARK: compaction

    /// Returns once any snapshot started in the background has finished (tests, shutdown).
    public func waitForBackgroundSnapshot() { snapshotQueue.sync {} }

    /// Writes a snapshot of the latest durable state now, then removes the snapshots and
    /// journal segments no longer needed.
    public func compact() throws(StoreError) {
        snapshotLock.lock()
        defer { snapshotLock.unlock() }
        condition.lock()
        let state = durableState
        let covered = changesSinceSnapshot
        condition.unlock()
        if let last = snapshotInfo.withLock({ $0 }), last.generation == state.generation,
           dataDirectory.fileSystem.exists(dataDirectory.snapshotPath(state.generation)) {
            return
        }
        _ = try Snapshot.write(state, to: dataDirectory)
        snapshotInfo.withLock { $0 = (state.generation, Timestamp.now()) }
        condition.lock()
        changesSinceSnapshot = max(0, changesSinceSnapshot - covered)
        // Writes that landed while the snapshot was written start the next interval now.
        firstChangeSinceSnapshotAt = changesSinceSnapshot == 0 ? nil : Date().timeIntervalSince1970
        // The next batch opens a fresh segment, so the current one can be deleted once a
        // later snapshot covers it.
        rotateRequested = true
        condition.unlock()
        removeObsoleteFiles()
    }

    private func removeObsoleteFiles() {
        guard let snapshots = try? dataDirectory.snapshots() else { return }
        let keep = max(1, options.retainedSnapshots)
        let retained = snapshots.suffix(keep)
        for old in snapshots.dropLast(keep) { dataDirectory.fileSystem.remove(old.path) }
        guard let oldestRetained = retained.first?.generation, let segments = try? dataDirectory.segments() else { return }
        // A segment is obsolete when the next one starts at or before the oldest retained
        // snapshot's generation + 1: every record in it is inside that snapshot.
        for index in segments.indices.dropLast() where segments[index + 1].firstSequence <= oldestRetained + 1 {
            dataDirectory.fileSystem.remove(segments[index].path)
        }
        try? dataDirectory.fileSystem.syncDirectory(dataDirectory.path)
    }

    // MARK: closing

    /// Stops accepting writes, lets queued writes finish, writes a final snapshot and
    /// releases the directory lock. Idempotent.
    public func close() {
        guard stop() else { return }
        condition.lock()
        let needsSnapshot = changesSinceSnapshot > 0 && journal.broken == nil
        condition.unlock()
        if needsSnapshot {
            do { try compact() } catch { options.log("final snapshot failed (the journal still has every change): \(error)") }
        }
        journal.close()
        claim?.release()
        claim = nil
    }

    /// Closes a store that started from a missing or empty directory in this process and
    /// removes everything it wrote there (the directory too, if it made it), so that a command
    /// that failed leaves nothing behind. A store that opened existing data is only closed.
    public func discard() {
        guard startedEmpty else { return close() }
        guard stop() else { return }
        journal.close()
        claim?.releaseRemovingWhatItMade()
        claim = nil
    }

    /// Refuses new writes and waits for queued ones and any background snapshot. False when
    /// the store was already stopped.
    private func stop() -> Bool {
        condition.lock()
        if stopping {
            condition.unlock()
            return false
        }
        stopping = true
        if closedReason == nil { closedReason = "the store is closed" }
        condition.broadcast()
        condition.unlock()
        committerDone.wait()
        snapshotQueue.sync {}
        return true
    }

    deinit {
        if claim != nil { close() }
    }
}
