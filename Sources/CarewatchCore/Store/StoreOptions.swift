/// How a store persists. Defaults suit the server; tests shrink the thresholds and inject faults.
public struct StoreOptions: Sendable {
    /// Skip damaged journal records (and accept sequence gaps) instead of refusing to start.
    /// What was in a skipped record is lost; the start-up log lists each one.
    public var recover = false
    /// Load the embedded default data into an empty directory.
    public var seedWhenEmpty = true
    /// Make the data directory (and its parents) when it is missing; when false, a missing
    /// directory is `StoreError.missing`.
    public var createDirectory = true
    /// Open a directory that holds no data (seeding it if `seedWhenEmpty`); when false, such a
    /// directory is `StoreError.empty` and nothing is written to it.
    public var startEmpty = true
    /// Take a snapshot after this many committed writes...
    public var snapshotEveryChanges = 100_000
    /// ...or this many seconds after the first write since the last snapshot.
    public var snapshotInterval: Double = 300
    /// Start a new journal segment once the active one is this large.
    public var segmentBytes = 64 << 20
    /// Snapshots kept (the newest plus fallbacks); journal segments are kept from the oldest
    /// retained snapshot on, so falling back to it loses nothing.
    public var retainedSnapshots = 2
    /// The journal keeps at least this many of the newest records even once snapshots hold
    /// them, for history and the change feed (0: only what recovery needs).
    public var retainedJournalRecords: UInt64 = 0
    /// Changes kept for history and the change feed, at least (older ones go a chunk of
    /// 4,096 at a time as newer ones come); kept in snapshots, so restarts keep them too.
    public var retainedChanges = HistoryLog.defaultRetention
    /// Makes chosen system calls fail, for tests of a failing disk.
    public var faults: FileSystemFaults?
    /// Stamps commits (`updated_at`) and says what "today" is for the rules that refuse
    /// dates in the future. Tests pin it.
    public var clock: WallClock = .system
    /// Where start-up decisions (torn tail cut, snapshot fallback, seeding) are reported.
    public var log: @Sendable (String) -> Void = { logToStandardError($0) }

    public init() {}

    public init(recover: Bool = false, seedWhenEmpty: Bool = true, snapshotEveryChanges: Int = 100_000, snapshotInterval: Double = 300,
                segmentBytes: Int = 64 << 20, faults: FileSystemFaults? = nil, clock: WallClock = .system) {
        self.recover = recover
        self.seedWhenEmpty = seedWhenEmpty
        self.snapshotEveryChanges = snapshotEveryChanges
        self.snapshotInterval = snapshotInterval
        self.segmentBytes = segmentBytes
        self.faults = faults
        self.clock = clock
    }
}

/// Figures for `/metrics` and `carewatch check`.
public struct StoreStatistics: Sendable, Equatable {
    public var generation: UInt64
    public var councils: Int
    public var inspections: Int
    public var workforceRows: Int
    /// Bytes in all journal segments on disk.
    public var journalBytes: Int
    public var journalSegments: Int
    public var lastSnapshotGeneration: UInt64?
    public var lastSnapshotAt: Timestamp?
    /// Writes committed since the last snapshot.
    public var changesSinceSnapshot: Int
    /// Writes acknowledged, and the fdatasync calls that made them durable (group commit
    /// makes the second smaller under concurrency).
    public var commits: Int
    public var syncs: Int
    public var failedCommits: Int
    /// The most writes one fdatasync has carried since start-up: how many writes were
    /// waiting for the disk at once.
    public var largestBatch: Int = 0
    /// History: changes held, the newest change's sequence, the oldest held, and the
    /// retention setting.
    public var historyChanges = 0
    public var latestChange: UInt64 = 0
    public var oldestChange: UInt64 = 1
    public var historyRetention = 0
}
