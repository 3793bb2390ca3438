#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Start-up: the newest snapshot that checks out, then the journal after it.
enum Recovery {
    struct Loaded {
        var state: StoreState
        var snapshot: (generation: UInt64, at: Timestamp)?
        var lastSegment: (path: String, firstSequence: UInt64, length: Int)?
        var replayed = 0
        /// Nothing on disk at all: a new data directory.
        var isEmpty = false
        /// Damage was skipped or a snapshot was bad: write a clean snapshot straight away.
        var needsCompaction = false
        var notes: [String] = []
        var tornTail: (path: String, offset: Int)?
        var journalRecords = 0
    }

    /// `repair`: cut a torn tail off the journal (start-up) or only report it (`check`).
    static func load(_ directory: DataDirectory, options: StoreOptions, repair: Bool) throws(StoreError) -> Loaded {
        let fileSystem = directory.fileSystem
        let log = options.log
        var notes: [String] = []
        let snapshots = try directory.snapshots()
        var base = StoreState()
        var snapshotInfo: (generation: UInt64, at: Timestamp)?
        var damagedSnapshots: [String] = []
        for candidate in snapshots.reversed() {
            do {
                base = try Snapshot.read(path: candidate.path, fileSystem: fileSystem)
                snapshotInfo = (base.generation, base.committedAt)
                break
            } catch {
                damagedSnapshots.append("\(error)")
                let note = "\(error); falling back to an older snapshot or the journal"
                notes.append(note)
                log(note)
            }
        }
        var segments = try directory.segments()
        // Segments wholly inside the snapshot need not be read.
        while segments.count > 1 && segments[1].firstSequence <= base.generation + 1 { segments.removeFirst() }
        var scanned: [JournalScanner.Segment] = []
        for segment in segments {
            scanned.append(try JournalScanner.scan(path: segment.path, firstSequence: segment.firstSequence, fileSystem: fileSystem))
        }
        let outcome: JournalScanner.Outcome
        do {
            outcome = try JournalScanner.resolve(scanned, baseGeneration: base.generation, recover: options.recover)
        } catch {
            if !damagedSnapshots.isEmpty && snapshotInfo == nil {
                throw StoreError.unrecoverable("no usable snapshot in \(directory.path) (\(damagedSnapshots.joined(separator: "; "))), and the journal cannot rebuild the data on its own: \(error)")
            }
            throw error
        }
        for skipped in outcome.skipped {
            let note = "journal damage skipped: \(skipped)"
            notes.append(note)
            log(note)
        }
        var lastSegment = outcome.lastSegment
        if let torn = outcome.tornTail {
            if repair {
                let descriptor = try fileSystem.open(torn.path, create: false)
                defer { close(descriptor) }
                try fileSystem.truncate(descriptor, to: torn.offset, path: torn.path)
                try fileSystem.syncData(descriptor, path: torn.path)
                let note = "cut a torn record (never acknowledged) off the end of \(torn.path) at byte offset \(torn.offset)"
                notes.append(note)
                log(note)
            } else {
                notes.append("torn record at the end of \(torn.path), byte offset \(torn.offset) (start-up cuts it off)")
            }
            if lastSegment?.path == torn.path { lastSegment?.length = torn.offset }
        }
        var state = base
        var replayed = 0
        for record in outcome.records {
            do {
                _ = try state.apply(record.changes, sequence: record.sequence, at: record.at, origin: record.origin,
                                    firstChange: record.changeSequence?.lowerBound)
                replayed += 1
            } catch {
                let message = "journal record \(record.sequence) cannot be applied to the state before it: \(error)"
                guard options.recover else { throw StoreError.damagedJournal(message) }
                notes.append(message + " (skipped in recovery)")
                log(message + " (skipped in recovery)")
            }
        }
        var loaded = Loaded(state: state, snapshot: snapshotInfo, lastSegment: lastSegment)
        loaded.replayed = replayed
        loaded.isEmpty = snapshots.isEmpty && outcome.records.isEmpty && state.generation == 0
        loaded.needsCompaction = !outcome.skipped.isEmpty || !damagedSnapshots.isEmpty
        loaded.notes = notes
        loaded.tornTail = outcome.tornTail
        loaded.journalRecords = outcome.records.count
        if !outcome.records.isEmpty || snapshotInfo != nil {
            log("loaded \(directory.path): snapshot generation \(snapshotInfo?.generation ?? 0), \(replayed) journal records replayed, generation \(state.generation)")
        }
        return loaded
    }
}
