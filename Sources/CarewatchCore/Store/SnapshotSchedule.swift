/// When to take a snapshot, as a state machine over instants of a monotonic clock (so a
/// wall-clock step cannot make it snapshot early or never, and tests can drive it with made-up
/// instants): after `everyChanges` commits since the last snapshot, or `interval` after the
/// first of them; never two at once; and after a failure (a full disk), not again before
/// `retryDelay` has passed. An `everyChanges` of 0 turns the count off and an `interval` of
/// zero turns the time off, as `--snapshot-every 0` and `--snapshot-interval 0` say; with both
/// off, only a clean stop (or a start-up that replayed a damaged tail) writes one.
struct SnapshotSchedule: Sendable {
    typealias Instant = ContinuousClock.Instant

    enum Action: Equatable {
        case snapshot
        case wake(at: Instant)
        case idle
    }

    /// 0: never by count.
    let everyChanges: Int
    /// Zero: never by time.
    let interval: Duration
    let retryDelay: Duration
    /// The generation the newest snapshot holds, and the newest durable one.
    private(set) var snapshotGeneration: UInt64
    private(set) var durableGeneration: UInt64
    private(set) var firstChangeAt: Instant?
    private(set) var inFlight = false
    private(set) var retryAt: Instant?

    init(everyChanges: Int, interval: Duration, retryDelay: Duration, snapshotGeneration: UInt64, durableGeneration: UInt64, now: Instant) {
        self.everyChanges = max(0, everyChanges)
        self.interval = interval
        self.retryDelay = retryDelay
        self.snapshotGeneration = snapshotGeneration
        self.durableGeneration = durableGeneration
        firstChangeAt = durableGeneration > snapshotGeneration ? now : nil
    }

    /// Commits the newest snapshot does not hold (each commit is one generation).
    var changesSinceSnapshot: Int { Int(clamping: durableGeneration &- min(snapshotGeneration, durableGeneration)) }

    mutating func committed(through generation: UInt64, at now: Instant) {
        if changesSinceSnapshot == 0 && generation > snapshotGeneration { firstChangeAt = now }
        durableGeneration = max(durableGeneration, generation)
    }

    /// What to do now: start a snapshot, look again at an instant, or wait for commits.
    func next(at now: Instant) -> Action {
        guard changesSinceSnapshot > 0, !inFlight, let first = firstChangeAt else { return .idle }
        if let retryAt, now < retryAt { return .wake(at: retryAt) }
        if everyChanges > 0 && changesSinceSnapshot >= everyChanges { return .snapshot }
        guard interval > .zero else { return .idle }
        let due = first + interval
        return now >= due ? .snapshot : .wake(at: due)
    }

    mutating func started() { inFlight = true }

    /// A snapshot of `generation` is on disk (a scheduled one or one asked for).
    mutating func written(generation: UInt64, at now: Instant) {
        snapshotGeneration = max(snapshotGeneration, generation)
        retryAt = nil
        // Commits that landed while it was written start the next interval now.
        firstChangeAt = changesSinceSnapshot > 0 ? now : nil
    }

    /// A scheduled snapshot has ended, written or not.
    mutating func finished(failed: Bool, at now: Instant) {
        inFlight = false
        if failed { retryAt = now + retryDelay }
    }
}
