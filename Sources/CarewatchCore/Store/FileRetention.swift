/// Which snapshots and journal segments a data directory still needs after a snapshot:
/// - the newest `snapshots` snapshots (the newest plus fallbacks for a damaged one);
/// - every journal segment from the oldest retained snapshot on, so that falling back to it
///   loses nothing;
/// - and, for history, segments holding any of the newest `journalRecords` records, even
///   when snapshots cover them.
struct FileRetention: Sendable {
    var snapshots: Int
    var journalRecords: UInt64

    /// The paths to delete, given what is on disk (oldest first) and the newest durable sequence.
    func obsolete(snapshots: [(generation: UInt64, path: String)], segments: [(firstSequence: UInt64, path: String)],
                  newestSequence: UInt64) -> [String] {
        let keep = max(1, self.snapshots)
        var paths = snapshots.dropLast(keep).map(\.path)
        guard let oldestRetained = snapshots.suffix(keep).first?.generation else { return paths }
        // A segment's last record is the one before the next segment's first (the active
        // segment, last in the list, is never deleted).
        for index in segments.indices.dropLast() {
            let lastRecord = segments[index + 1].firstSequence - 1
            let insideSnapshot = lastRecord <= oldestRetained
            let outsideHistory = journalRecords == 0 || lastRecord + journalRecords <= newestSequence
            if insideSnapshot && outsideHistory { paths.append(segments[index].path) }
        }
        return paths
    }

    /// Deletes what is no longer needed; best effort (a file left behind is deleted next time).
    func removeObsolete(in directory: DataDirectory, newestSequence: UInt64) {
        guard let snapshots = try? directory.snapshots(), let segments = try? directory.segments() else { return }
        let paths = obsolete(snapshots: snapshots, segments: segments, newestSequence: newestSequence)
        guard !paths.isEmpty else { return }
        for path in paths { directory.fileSystem.remove(path) }
        try? directory.fileSystem.syncDirectory(directory.path)
    }
}
