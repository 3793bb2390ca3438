import Foundation
import Synchronization

/// The durable in-memory store: one data directory, opened by one process at a time.
///
/// It is put together from parts that each do one job:
/// - reading: `state` is the latest durable `StoreState`, an immutable value behind a
///   reference swap, so readers never wait for a writer or for I/O (queries are methods of
///   `StoreState`);
/// - `CommitPipeline`: transactions become journal records, written in groups with one
///   fdatasync, and writes are completed by callback when durable;
/// - `SnapshotScheduler`: when to snapshot, off the write path;
/// - `Snapshot`: the file format, one section per collection;
/// - `FileRetention`: which snapshots and journal segments can go;
/// - `Recovery`: start-up from the newest good snapshot plus the journal after it.
///
/// Writes: `write` in async code suspends until the write is durable and holds no thread
/// meanwhile; the blocking `write` is for tools and tests; `submit` takes a completion.
public final class Store: @unchecked Sendable {
    public let directory: String
    let options: StoreOptions
    let dataDirectory: DataDirectory
    private let claim: Mutex<DataDirectoryClaim?>
    /// There was nothing to load when this store opened (it seeded the embedded data, or
    /// started with nothing): the store a `--seed` document fills, and one `discard` may remove.
    public private(set) var startedEmpty = false
    private let retention: FileRetention
    private let snapshotInfo: Mutex<(generation: UInt64, at: Timestamp)?>
    /// Only one snapshot is written at a time, whoever asked for it.
    private let snapshotLock = NSLock()
    private let subscribers = CommitSubscribers()
    private let closed = Mutex(false)
    // Set once in `open`, before the store is shared.
    private var pipeline: CommitPipeline!
    private var scheduler: SnapshotScheduler!

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
        var loaded: Recovery.Loaded
        let journal: JournalWriter
        do throws(StoreError) {
            try dataDirectory.removeTemporaryFiles()
            loaded = try Recovery.load(dataDirectory, options: options, repair: true)
            if loaded.isEmpty && !options.startEmpty { throw StoreError.empty(directory: claim.path) }
            // Files that hold no record (an empty journal, a torn first write) are no data.
            if loaded.isEmpty { claim.heldNoData = true }
            if loaded.isEmpty && options.seedWhenEmpty {
                // The embedded data is built in memory, release by release, and lands as one
                // snapshot (below): the same state a replay of its imports would give.
                loaded.state = SeedData.seededState(at: options.clock.now())
                loaded.needsCompaction = true
            }
            loaded.state.history = loaded.state.history.detached(retention: options.retainedChanges)
            if let last = loaded.lastSegment {
                journal = try JournalWriter(directory: dataDirectory, path: last.path, firstSequence: last.firstSequence, size: last.length)
            } else {
                journal = try JournalWriter(directory: dataDirectory, firstSequence: loaded.state.generation + 1)
            }
        } catch {
            claim.releaseRemovingWhatItMade()
            throw error
        }
        let store = Store(path: claim.path, options: options, dataDirectory: dataDirectory, claim: claim, snapshot: loaded.snapshot)
        store.startedEmpty = loaded.isEmpty
        store.start(state: loaded.state, journal: journal)
        do {
            if loaded.needsCompaction { try store.compact() }
            if loaded.isEmpty && options.seedWhenEmpty { store.options.log(SeedData.seedSummary(loaded.state, directory: dataDirectory.path)) }
            if options.seedWhenEmpty { try store.addEmbeddedFiguresIfMissing() }
        } catch {
            let failure = error as? StoreError ?? StoreError.unrecoverable("seeding failed: \(error)")
            if store.startedEmpty { store.discard() } else { store.close() }
            throw failure
        }
        return store
    }

    private init(path: String, options: StoreOptions, dataDirectory: DataDirectory, claim: DataDirectoryClaim, snapshot: (generation: UInt64, at: Timestamp)?) {
        directory = path
        self.options = options
        self.dataDirectory = dataDirectory
        self.claim = Mutex(claim)
        retention = FileRetention(snapshots: options.retainedSnapshots, journalRecords: options.retainedJournalRecords)
        snapshotInfo = Mutex(snapshot)
    }

    private func start(state: StoreState, journal: JournalWriter) {
        let schedule = SnapshotSchedule(
            everyChanges: options.snapshotEveryChanges, interval: .seconds(options.snapshotInterval),
            retryDelay: .seconds(min(max(options.snapshotInterval, 1), 30)),
            snapshotGeneration: snapshotInfo.withLock { $0?.generation ?? 0 }, durableGeneration: state.generation, now: .now)
        let scheduler = SnapshotScheduler(schedule: schedule, log: options.log) { [weak self] () throws(StoreError) in
            try self?.compact()
        }
        self.scheduler = scheduler
        pipeline = CommitPipeline(state: state, journal: journal, segmentBytes: options.segmentBytes, clock: options.clock) { [subscribers] records in
            scheduler.committed(through: records[records.count - 1].sequence)
            subscribers.deliver(records)
        }
    }

    // MARK: reading

    /// The latest durable state. Never blocks on I/O; copying it out retains each of its
    /// tables, so a hot reader borrows it from `snapshot` instead.
    public var state: StoreState { pipeline.state }

    /// The latest durable state in its box: one reference taken, however big the state.
    public var snapshot: StateSnapshot { pipeline.snapshot }

    public var statistics: StoreStatistics {
        let state = self.state
        let snapshot = snapshotInfo.withLock { $0 }
        let counters = pipeline.statistics
        let history = state.history.view()
        let segments = (try? dataDirectory.segments()) ?? []
        let bytes = segments.reduce(0) { $0 + (dataDirectory.fileSystem.fileSize($1.path) ?? 0) }
        return StoreStatistics(generation: state.generation, councils: state.councilCount, inspections: state.inspectionCount,
                               workforceRows: state.workforceCount, journalBytes: bytes, journalSegments: segments.count,
                               lastSnapshotGeneration: snapshot?.generation, lastSnapshotAt: snapshot?.at,
                               changesSinceSnapshot: scheduler.changesSinceSnapshot, commits: counters.commits, syncs: counters.syncs,
                               failedCommits: counters.failed, largestBatch: counters.largestBatch,
                               historyChanges: history.count, latestChange: history.latest, oldestChange: history.oldest,
                               historyRetention: options.retainedChanges)
    }

    /// Calls `subscriber` with every batch of records made durable from now on, in sequence
    /// order with no gap, on the committer thread, after readers can see them and before the
    /// writers are answered. It must return quickly and never block (hand the records on).
    public func subscribe(_ subscriber: @escaping @Sendable ([CommittedRecord]) -> Void) {
        subscribers.add(subscriber)
    }

    // MARK: writing

    /// Runs `transaction` against the newest state, serialized with other writers, and
    /// returns once its changes are durable, with the state as of this write. It suspends
    /// while it waits (for another writer, then for the disk); no thread is held. It runs
    /// on its caller's executor up to that wait (`nonisolated(nonsending)`), so a write
    /// started on an event loop does its transaction there, without a hop. Errors
    /// thrown by the transaction come back unchanged; a change that breaks a store rule
    /// throws `ValidationError`; an I/O failure throws `StoreError` and nothing is applied. A
    /// write whose puts all match the stored records changes nothing: it journals nothing,
    /// moves no version and returns the state it read, once that is durable.
    ///
    /// The write's origin is `Origin.current` (the API sets it for each request).
    nonisolated(nonsending)
    public func write<T: Sendable>(_ transaction: (StoreState) throws -> (changes: [Change], result: T)) async throws -> (result: T, state: StoreState) {
        let committed = try await commit(transaction)
        return (committed.result, committed.state)
    }

    /// Applies `changes` as one durable write; returns them as applied (generated ids filled
    /// in, council names resolved to codes) and the resulting state.
    @discardableResult nonisolated(nonsending)
    public func apply(_ changes: [Change]) async throws -> (changes: [Change], state: StoreState) {
        let committed = try await commit { _ in (changes, ()) }
        return (committed.changes, committed.state)
    }

    /// The async write, with everything the pipeline reports (`changes`: those that took
    /// effect, as applied; empty when nothing changed).
    nonisolated(nonsending)
    public func commit<T: Sendable>(origin: Origin? = nil, _ transaction: (StoreState) throws -> (changes: [Change], result: T)) async throws -> Committed<T> {
        let origin = origin ?? Origin.current
        return try await commit(describedBy: { state in
            let (changes, result) = try transaction(state)
            return (changes, result, origin)
        })
    }

    /// The async write whose transaction also says what made it: an import knows whether its
    /// file is a publisher's release only once it has read it.
    nonisolated(nonsending)
    public func commit<T: Sendable>(describedBy transaction: (StoreState) throws -> (changes: [Change], result: T, origin: Origin?)) async throws -> Committed<T> {
        while true {
            await pipeline.writerLock.acquire()
            let settled: Settlement<T> = try await withUnsafeThrowingContinuation { continuation in
                defer { pipeline.writerLock.release() }
                do {
                    try pipeline.submit(transaction) { continuation.resume(returning: $0) }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            switch settled {
            case .committed(let committed): return committed
            case .failed(let error): throw error
            case .rerun: continue
            }
        }
    }

    /// The same write, blocking the calling thread until it is durable: for tools and tests.
    /// Servers use the async form.
    public func write<T: Sendable>(origin: Origin? = nil, _ transaction: (StoreState) throws -> (changes: [Change], result: T)) throws -> (result: T, state: StoreState) {
        let committed = try commitBlocking { state in
            let (changes, result) = try transaction(state)
            return (changes, result, origin)
        }
        return (committed.result, committed.state)
    }

    /// `write`, also returning the changes that took effect, as applied (empty when nothing
    /// changed), for callers that report what a write did, such as a bulk import.
    public func writeReturningChanges<T: Sendable>(describedBy transaction: (StoreState) throws -> (changes: [Change], result: T, origin: Origin?)) throws -> (result: T, state: StoreState, changes: [Change]) {
        let committed = try commitBlocking(transaction)
        return (committed.result, committed.state, committed.changes)
    }

    @discardableResult
    public func apply(_ changes: [Change], origin: Origin? = nil) throws -> (changes: [Change], state: StoreState) {
        let committed = try commitBlocking { _ in (changes, (), origin) }
        return (committed.changes, committed.state)
    }

    private func commitBlocking<T: Sendable>(_ transaction: (StoreState) throws -> (changes: [Change], result: T, origin: Origin?)) throws -> Committed<T> {
        while true {
            let outcome = Mutex<Settlement<T>?>(nil)
            let settled = DispatchSemaphore(value: 0)
            pipeline.writerLock.acquireBlocking()
            do {
                defer { pipeline.writerLock.release() }
                try pipeline.submit(transaction) { result in
                    outcome.withLock { $0 = result }
                    settled.signal()
                }
            }
            settled.wait()
            switch outcome.withLock({ $0! }) {
            case .committed(let committed): return committed
            case .failed(let error): throw error
            case .rerun: continue
            }
        }
    }

    // MARK: snapshots

    /// Returns once any snapshot started in the background has finished (tests, shutdown).
    public func waitForBackgroundSnapshot() { scheduler.waitForSnapshot() }

    /// Writes a snapshot of the latest durable state now, then removes the snapshots and
    /// journal segments no longer needed.
    public func compact() throws(StoreError) {
        snapshotLock.lock()
        defer { snapshotLock.unlock() }
        let state = self.state
        if let last = snapshotInfo.withLock({ $0 }), last.generation == state.generation,
           dataDirectory.fileSystem.exists(dataDirectory.snapshotPath(state.generation)) {
            return
        }
        _ = try Snapshot.write(state, to: dataDirectory)
        snapshotInfo.withLock { $0 = (state.generation, Timestamp.now()) }
        scheduler.written(generation: state.generation)
        // The next batch opens a fresh segment, so the current one can be deleted once a
        // later snapshot covers it.
        pipeline.requestRotation()
        retention.removeObsolete(in: dataDirectory, newestSequence: state.generation)
    }

    // MARK: closing

    /// Stops accepting writes, lets queued writes finish, writes a final snapshot and
    /// releases the directory lock. Idempotent.
    public func close() {
        guard stop() else { return }
        if scheduler.changesSinceSnapshot > 0 && !pipeline.journalBroken {
            do { try compact() } catch { options.log("final snapshot failed (the journal still has every change): \(error)") }
        }
        pipeline.closeJournal()
        claim.withLock { claim in
            claim?.release()
            claim = nil
        }
    }

    /// Closes a store that started from a missing or empty directory in this process and
    /// removes everything it wrote there (the directory too, if it made it), so that a command
    /// that failed leaves nothing behind. A store that opened existing data is only closed.
    public func discard() {
        guard startedEmpty else { return close() }
        guard stop() else { return }
        pipeline.closeJournal()
        claim.withLock { claim in
            claim?.releaseRemovingWhatItMade()
            claim = nil
        }
    }

    /// Refuses new writes and waits for queued ones and any background snapshot. False when
    /// the store was already stopped.
    private func stop() -> Bool {
        guard closed.withLock({ let was = $0; $0 = true; return !was }) else { return false }
        pipeline.stop()
        scheduler.stop()
        return true
    }

    deinit { close() }
}

/// Who hears of durable commits (held apart from `Store`, so the committer never keeps the
/// store itself alive).
private final class CommitSubscribers: Sendable {
    private let list = Mutex<[@Sendable ([CommittedRecord]) -> Void]>([])

    func add(_ subscriber: @escaping @Sendable ([CommittedRecord]) -> Void) { list.withLock { $0.append(subscriber) } }

    func deliver(_ records: [CommittedRecord]) {
        for subscriber in list.withLock({ $0 }) { subscriber(records) }
    }
}
