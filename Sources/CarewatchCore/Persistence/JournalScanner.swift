/// Reads journal segments back for start-up and `carewatch check`, and decides what any
/// damage means:
/// - damage at the very end of the last segment, with nothing valid after it, is a torn
///   tail (a write that was never acknowledged): cut it off;
/// - damage anywhere else means acknowledged records may be lost: refuse, unless
///   `recover`, or unless the damage lies entirely before the snapshot's generation.
struct JournalScanner {
    enum Entry {
        case record(JournalRecord, offset: Int)
        case damaged(offset: Int, reason: String)
    }

    struct Segment {
        var firstSequence: UInt64
        var path: String
        var entries: [Entry]
        var length: Int
    }

    struct Outcome {
        var records: [JournalRecord] = []
        /// (path, offset) of a torn tail to cut.
        var tornTail: (path: String, offset: Int)?
        /// Damage skipped because `recover` was set or the snapshot covers it.
        var skipped: [String] = []
        /// The active segment and its valid length after any cut.
        var lastSegment: (path: String, firstSequence: UInt64, length: Int)?
    }

    static func scan(path: String, firstSequence: UInt64, fileSystem: FileSystem) throws(StoreError) -> Segment {
        let bytes = try fileSystem.readFile(path)
        var entries: [Entry] = []
        var offset = 0
        while offset < bytes.count {
            guard let newline = bytes[offset...].firstIndex(of: 0x0A) else {
                entries.append(.damaged(offset: offset, reason: "incomplete record (no newline)"))
                break
            }
            switch JournalRecord.decode(bytes[offset..<newline]) {
            case .success(let record): entries.append(.record(record, offset: offset))
            case .failure(let damage): entries.append(.damaged(offset: offset, reason: damage.reason))
            }
            offset = newline + 1
        }
        return Segment(firstSequence: firstSequence, path: path, entries: entries, length: bytes.count)
    }

    /// Collects the records after `baseGeneration` in order and classifies damage.
    static func resolve(_ segments: [Segment], baseGeneration: UInt64, recover: Bool) throws(StoreError) -> Outcome {
        var outcome = Outcome()
        // The sequence number of the first valid record after each position, to tell whether
        // damage lies inside what the snapshot already covers.
        var nextValidSequence: UInt64? = nil
        var followers: [[UInt64?]] = Array(repeating: [], count: segments.count)
        for segmentIndex in segments.indices.reversed() {
            var list: [UInt64?] = Array(repeating: nil, count: segments[segmentIndex].entries.count)
            for entryIndex in segments[segmentIndex].entries.indices.reversed() {
                list[entryIndex] = nextValidSequence
                if case .record(let record, _) = segments[segmentIndex].entries[entryIndex] { nextValidSequence = record.sequence }
            }
            followers[segmentIndex] = list
        }
        var expected = baseGeneration + 1
        for (segmentIndex, segment) in segments.enumerated() {
            let isLastSegment = segmentIndex == segments.count - 1
            var validLength = segment.length
            for (entryIndex, entry) in segment.entries.enumerated() {
                switch entry {
                case .record(let record, let offset):
                    guard record.sequence >= expected else {
                        if record.sequence > baseGeneration {
                            throw StoreError.unrecoverable("journal \(segment.path) at byte offset \(offset): sequence \(record.sequence) repeats or goes backwards (expected \(expected))")
                        }
                        continue
                    }
                    if record.sequence > expected && !recover {
                        throw StoreError.damagedJournal("journal \(segment.path) at byte offset \(offset): record \(record.sequence) follows \(expected - 1); records \(expected)…\(record.sequence - 1) are missing (snapshot or segment deleted?)")
                    }
                    if record.sequence > expected { outcome.skipped.append("records \(expected)…\(record.sequence - 1) missing before \(segment.path) offset \(offset)") }
                    outcome.records.append(record)
                    expected = record.sequence + 1
                case .damaged(let offset, let reason):
                    let follower = followers[segmentIndex][entryIndex]
                    if follower == nil && isLastSegment {
                        outcome.tornTail = (segment.path, offset)
                        validLength = offset
                    } else if let follower, follower <= baseGeneration + 1 {
                        outcome.skipped.append("\(segment.path) offset \(offset): \(reason) (covered by the snapshot)")
                    } else if recover {
                        outcome.skipped.append("\(segment.path) offset \(offset): \(reason) (skipped in recovery)")
                    } else {
                        throw StoreError.corruptJournal(file: segment.path, offset: offset, reason: reason)
                    }
                }
                if outcome.tornTail != nil { break }
            }
            if isLastSegment { outcome.lastSegment = (segment.path, segment.firstSequence, validLength) }
        }
        return outcome
    }
}
