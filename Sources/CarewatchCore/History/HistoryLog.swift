import Foundation

/// The store's history: every record change, numbered by the change sequence, oldest first,
/// as far back as retention keeps. Part of `StoreState`, so a reader sees exactly the history
/// of the state it reads, a snapshot holds the history of its generation, and journal replay
/// rebuilds the rest.
///
/// States are copied on every write, so the entries themselves live in a shared, append-only
/// `HistoryStorage`: a state holds the storage and how far into it it sees (`latest`).
/// Appending costs no copy. Entries a state can see never change, so readers need no lock
/// past taking a view. A state that appends where its storage has moved on (a write after a
/// failed batch, whose entries no published state saw, or a copy used on its own) forks a
/// private storage first.
public struct HistoryLog: @unchecked Sendable {
    private(set) var storage: HistoryStorage
    /// The sequence of the newest change in this state (0 before any).
    public private(set) var latest: UInt64
    /// Entries kept at least: older chunks go as new ones fill (`StoreOptions.retainedChanges`).
    var retention: Int

    static let defaultRetention = 100_000

    /// An empty history after `floor`: the next change is `floor + 1`, and nothing older is held.
    init(floor: UInt64 = 0, retention: Int = HistoryLog.defaultRetention) {
        storage = HistoryStorage(floor: floor)
        latest = floor
        self.retention = retention
    }

    /// Entries from `floor + 1` through `latest` are held; `since` below `floor` asks for
    /// changes that are gone.
    public var floor: UInt64 { storage.floor(through: latest) }

    /// Appends one write's changes, numbered from `first` (nil: right after `latest`; a
    /// journal record that carries its numbers gives them back on replay). Returns the range.
    @discardableResult
    mutating func append(_ pending: [PendingChange], commit: HistoryCommit, first: UInt64? = nil) -> ClosedRange<UInt64>? {
        guard !pending.isEmpty else { return nil }
        let start = max(first ?? latest + 1, latest + 1)
        if !storage.canAppend(after: latest) { storage = storage.fork(through: latest) }
        storage.append(pending, commit: commit, first: start, retention: retention)
        latest = start + UInt64(pending.count) - 1
        return start...latest
    }

    /// What this state can see: entries after `floor` up to `latest`.
    public func view() -> HistoryView { storage.view(through: latest) }

    /// The same history in a storage of its own (a store opening with the seed's cached state,
    /// so that its appends and trims are its own).
    func detached(retention: Int) -> HistoryLog {
        var copy = self
        copy.retention = retention
        copy.storage = storage.fork(through: latest)
        copy.storage.trim(retention: retention)
        return copy
    }

    /// Continues the numbering after `floor` with nothing held (a restore: the data was
    /// replaced wholesale, so no change before it describes it).
    mutating func restart(after floor: UInt64) {
        storage = HistoryStorage(floor: floor)
        latest = floor
    }

    /// A snapshot's entry (numbered, in order), while a new state is loaded.
    mutating func loadEvent(_ event: HistoryEvent) throws(ValidationError) {
        guard event.sequence > latest else { throw ValidationError(field: "history", message: "change \(event.sequence) is out of order") }
        storage.appendLoaded(event)
        latest = event.sequence
    }

    /// After the snapshot's entries: nothing at or before `floor` is held, and the next
    /// change follows `latest`.
    mutating func finishLoading(floor: UInt64, latest: UInt64) {
        if self.latest == 0 { storage = HistoryStorage(floor: floor) }
        storage.continue(after: latest)
        self.latest = latest
    }
}

/// One record changed, before it is numbered.
struct PendingChange {
    var key: RecordKey
    var action: HistoryEvent.Action
    var fields: [FieldChange]
}

/// A fixed-size block of entries. Slots below `count` are written once and never again, so a
/// reader may read any slot its view includes without a lock.
final class HistoryChunk: @unchecked Sendable {
    static let capacity = 4096
    let first: UInt64
    private let base: UnsafeMutablePointer<HistoryEvent>
    /// Written only by the storage's appender, under its lock.
    private(set) var count = 0

    init(first: UInt64) {
        self.first = first
        base = .allocate(capacity: HistoryChunk.capacity)
    }

    var isFull: Bool { count == HistoryChunk.capacity }

    func append(_ event: HistoryEvent) {
        (base + count).initialize(to: event)
        count += 1
    }

    subscript(index: Int) -> HistoryEvent { base[index] }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// The entries behind one or more states' histories.
final class HistoryStorage: @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [HistoryChunk] = []
    /// Sequence of the newest entry appended, and the one before the oldest held.
    private var end: UInt64
    private var start: UInt64

    init(floor: UInt64) {
        end = floor
        start = floor
    }

    func canAppend(after latest: UInt64) -> Bool { lock.withLock { end == latest } }

    func floor(through latest: UInt64) -> UInt64 { lock.withLock { min(start, latest) } }

    func append(_ pending: [PendingChange], commit: HistoryCommit, first: UInt64, retention: Int) {
        lock.withLock {
            var sequence = first
            for change in pending {
                appendLocked(HistoryEvent(sequence: sequence, commit: commit, key: change.key, action: change.action, fields: change.fields))
                sequence += 1
            }
            trimLocked(retention: retention)
        }
    }

    /// The next entry follows `latest` (a snapshot whose newest changes left no entry).
    func `continue`(after latest: UInt64) { lock.withLock { end = max(end, latest) } }

    func appendLoaded(_ event: HistoryEvent) {
        lock.withLock {
            if chunks.isEmpty { start = event.sequence - 1 }
            appendLocked(event)
        }
    }

    private func appendLocked(_ event: HistoryEvent) {
        if chunks.last?.isFull ?? true || (chunks.last.map { $0.first + UInt64($0.count) } != event.sequence) {
            chunks.append(HistoryChunk(first: event.sequence))
        }
        chunks[chunks.count - 1].append(event)
        end = event.sequence
    }

    func trim(retention: Int) { lock.withLock { trimLocked(retention: retention) } }

    /// Drops whole chunks from the front while what remains still holds `retention` entries.
    private func trimLocked(retention: Int) {
        var held = chunks.reduce(0) { $0 + $1.count }
        while chunks.count > 1, held - chunks[0].count >= retention {
            held -= chunks[0].count
            start = chunks[1].first - 1
            chunks.removeFirst()
        }
    }

    /// A new storage holding this one's entries through `latest`, to be appended to after it.
    func fork(through latest: UInt64) -> HistoryStorage {
        let view = self.view(through: latest)
        let copy = HistoryStorage(floor: view.floor)
        view.forEach { event in
            copy.appendLoaded(event)
            return true
        }
        copy.continue(after: latest)
        return copy
    }

    func view(through latest: UInt64) -> HistoryView {
        lock.withLock { HistoryView(segments: chunks.map { ($0, $0.count) }, floor: min(start, latest), latest: latest) }
    }
}

/// A reader's fixed view of a history: entries `floor + 1 ... latest`, in sequence order.
/// Each chunk comes with the count it had when the view was taken, so the view never reads a
/// slot being written.
public struct HistoryView: Sendable {
    fileprivate let segments: [(chunk: HistoryChunk, count: Int)]
    /// The last sequence not held: `since` must be at least this.
    public let floor: UInt64
    public let latest: UInt64

    /// The oldest change held (`latest + 1` when none is).
    public var oldest: UInt64 { floor + 1 }
    public var count: Int { Int(latest - floor) }

    /// The entry numbered `sequence`, if held.
    public func event(_ sequence: UInt64) -> HistoryEvent? {
        guard sequence > floor, sequence <= latest, let segment = segmentIndex(containing: sequence) else { return nil }
        let (chunk, count) = segments[segment]
        let index = Int(sequence - chunk.first)
        return index < count ? chunk[index] : nil
    }

    /// The last segment whose first entry is at or before `sequence`.
    private func segmentIndex(containing sequence: UInt64) -> Int? {
        var low = 0, high = segments.count
        while low < high {
            let mid = (low + high) / 2
            if segments[mid].chunk.first <= sequence { low = mid + 1 } else { high = mid }
        }
        return low > 0 ? low - 1 : nil
    }

    /// Entries after `since`, oldest first, at most `limit`.
    public func events(after since: UInt64, limit: Int = .max) -> [HistoryEvent] {
        var result: [HistoryEvent] = []
        forEach(after: since) { event in
            result.append(event)
            return result.count < limit
        }
        return result
    }

    /// Entries after `since`, oldest first, until `body` returns false.
    public func forEach(after since: UInt64 = 0, _ body: (HistoryEvent) throws -> Bool) rethrows {
        let from = max(since, floor) + 1
        guard from <= latest else { return }
        var segment = segmentIndex(containing: from) ?? 0
        while segment < segments.count {
            let (chunk, count) = segments[segment]
            let startIndex = from > chunk.first ? Int(from - chunk.first) : 0
            var index = startIndex
            while index < count {
                let sequence = chunk.first + UInt64(index)
                guard sequence <= latest else { return }
                guard try body(chunk[index]) else { return }
                index += 1
            }
            segment += 1
        }
    }

    /// Entries newest first, until `body` returns false.
    public func forEachNewestFirst(_ body: (HistoryEvent) throws -> Bool) rethrows {
        var segment = segments.count - 1
        while segment >= 0 {
            let (chunk, count) = segments[segment]
            var index = count - 1
            while index >= 0 {
                let sequence = chunk.first + UInt64(index)
                if sequence <= floor { return }
                if sequence <= latest { guard try body(chunk[index]) else { return } }
                index -= 1
            }
            segment -= 1
        }
    }
}
