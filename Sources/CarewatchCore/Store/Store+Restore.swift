/// Restore: a data directory made to hold exactly what a backup (an export document) holds,
/// nothing more and nothing less, unlike an import, which adds to and replaces in what is there.
extension Store {
    /// What a restore wrote.
    public struct Restored: Sendable {
        /// The generation the restored data starts at: 1 in a new directory, one past the
        /// replaced data's last generation otherwise, so versions and ETags never repeat.
        public var generation: UInt64
        public var councils: Int
        public var inspections: Int
        public var workforce: Int
        public var figures: Int
        public var neighbours: Int
        /// Whether data that was there before was replaced.
        public var replaced: Bool
    }

    /// Makes the data directory at `path` hold exactly the records of `bytes`, an export
    /// document (`GET /v1/export`, `carewatch export`), councils keeping their `updated_at`.
    /// No embedded data is loaded first. The directory may be missing or empty; one that holds
    /// data is replaced only when `replace` is true, and one that holds anything else is
    /// refused. The records are checked in full first (`ImportError`, `ValidationError`), then
    /// written as one snapshot, then the replaced snapshots and journal are removed: a crash
    /// at any point leaves either the old data or the restored data.
    public static func restore(from bytes: [UInt8], path: String, replace: Bool, options: StoreOptions = .init()) throws -> Restored {
        let document = try JSONImport.parse(bytes, existing: ImportContext(), keepingTimestamps: true)
        let claim = try Store.claim(path: path, options: options)
        defer { claim.release() }
        let fileSystem = claim.fileSystem
        let directory = DataDirectory(path: path, fileSystem: fileSystem)
        do {
            let names = try fileSystem.listDirectory(path)
            let foreign = names.filter { $0 != "LOCK" && !DataDirectory.isDataFile($0) && !DataDirectory.isTemporaryFile($0) }
            if !foreign.isEmpty { throw StoreError.foreignFiles(directory: path, names: foreign) }
            if !claim.heldNoData && !replace { throw StoreError.holdsData(directory: path) }

            let replaced = try lastNumbers(in: directory)
            let generation = replaced.generation + 1
            let now = Timestamp.now()
            var state = StoreState()
            _ = try state.apply(document.changes, sequence: generation, at: now)
            // The restored data did not come about by changes the feed could list: its history
            // starts empty, numbered after every change the replaced data had (one number is
            // skipped when data was replaced, so a consumer that followed it is told its
            // position is gone and reads afresh).
            state.history.restart(after: replaced.change + (claim.heldNoData ? 0 : 1))
            for council in document.councils where council.updatedAt.secondsSince1970 != 0 {
                state.councilsByCode[council.code]?.updatedAt = council.updatedAt
            }
            try directory.removeTemporaryFiles()
            _ = try Snapshot.write(state, to: directory)
            // Everything else on disk is older than the snapshot just made durable.
            for old in try directory.snapshots() where old.generation != generation { fileSystem.remove(old.path) }
            for segment in try directory.segments() { fileSystem.remove(segment.path) }
            try fileSystem.syncDirectory(path)
            options.log("restored \(path) at generation \(generation): \(state.councilCount) councils, \(state.inspectionCount) inspections, \(state.workforceCount) workforce rows, \(state.figureCount) published figure rows, \(state.neighbourListCount) neighbour lists")
            return Restored(generation: generation, councils: state.councilCount, inspections: state.inspectionCount,
                            workforce: state.workforceCount, figures: state.figureCount, neighbours: state.neighbourListCount,
                            replaced: !claim.heldNoData)
        } catch {
            if claim.heldNoData { claim.releaseRemovingWhatItMade() }
            throw error
        }
    }

    /// The highest generation and change sequence any file in the directory speaks of, read
    /// from snapshot names and headers and journal records alone, so that even damaged data
    /// can be replaced. Every write changed at least one record, so the change sequence is at
    /// least the generation, whatever a damaged file hides.
    private static func lastNumbers(in directory: DataDirectory) throws(StoreError) -> (generation: UInt64, change: UInt64) {
        var last = try directory.snapshots().last?.generation ?? 0
        var change: UInt64 = 0
        for snapshot in try directory.snapshots() {
            change = max(change, Snapshot.changeSequence(path: snapshot.path, fileSystem: directory.fileSystem) ?? 0)
        }
        for segment in try directory.segments() {
            if segment.firstSequence > 0 { last = max(last, segment.firstSequence - 1) }
            let scanned = try JournalScanner.scan(path: segment.path, firstSequence: segment.firstSequence, fileSystem: directory.fileSystem)
            for case .record(let record, _) in scanned.entries {
                last = max(last, record.sequence)
                change = max(change, record.changeSequence?.upperBound ?? 0)
            }
        }
        return (last, max(change, last))
    }
}
