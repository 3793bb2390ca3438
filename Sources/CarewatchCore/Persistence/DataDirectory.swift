/// File naming inside a data directory:
/// - `LOCK`: the flock target;
/// - `snapshot-<generation, 20 digits>.json`: a full copy of the state at that generation;
/// - `journal-<first sequence, 20 digits>.log`: a segment of the change journal.
/// Zero-padded numbers make name order equal numeric order.
struct DataDirectory: Sendable {
    let path: String
    let fileSystem: FileSystem

    static func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    /// Whether a file name is a snapshot or a journal segment: what makes a directory hold data.
    static func isDataFile(_ name: String) -> Bool {
        (name.hasPrefix("snapshot-") && name.hasSuffix(".json")) || (name.hasPrefix("journal-") && name.hasSuffix(".log"))
    }

    /// A snapshot being written (`Snapshot.write` renames it when complete). Only these are
    /// carewatch's to remove: another `.tmp` in the directory (an export written there as
    /// `FILE.tmp`, a user's file) is not.
    static func isTemporaryFile(_ name: String) -> Bool {
        name.hasPrefix("snapshot-") && name.hasSuffix(".json.tmp")
    }

    func snapshotPath(_ generation: UInt64) -> String { path + "/snapshot-" + DataDirectory.padded(generation) + ".json" }
    func segmentPath(_ firstSequence: UInt64) -> String { path + "/journal-" + DataDirectory.padded(firstSequence) + ".log" }

    private func numbered(prefix: String, suffix: String) throws(StoreError) -> [(number: UInt64, path: String)] {
        try fileSystem.listDirectory(path).compactMap { name -> (UInt64, String)? in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
            let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
            guard middle.count == 20, let number = UInt64(middle) else { return nil }
            return (number, path + "/" + name)
        }.sorted { $0.0 < $1.0 }
    }

    /// Snapshots, oldest first.
    func snapshots() throws(StoreError) -> [(generation: UInt64, path: String)] {
        try numbered(prefix: "snapshot-", suffix: ".json").map { (generation: $0.number, path: $0.path) }
    }

    /// Journal segments, oldest first.
    func segments() throws(StoreError) -> [(firstSequence: UInt64, path: String)] {
        try numbered(prefix: "journal-", suffix: ".log").map { (firstSequence: $0.number, path: $0.path) }
    }

    /// Leftovers of a snapshot write that did not reach its rename.
    func removeTemporaryFiles() throws(StoreError) {
        for name in try fileSystem.listDirectory(path) where DataDirectory.isTemporaryFile(name) {
            fileSystem.remove(path + "/" + name)
        }
    }
}
