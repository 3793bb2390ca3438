import Foundation

/// What `carewatch check DATA_DIR` prints: whether the directory would load, and why not.
public struct VerifyReport: Sendable, CustomStringConvertible {
    /// True when the store would open without `--recover` and nothing is damaged.
    public var ok: Bool
    public var generation: UInt64
    public var councils: Int
    public var inspections: Int
    public var workforceRows: Int
    public var figureRows = 0
    public var neighbourLists = 0
    public var snapshots: [String]
    public var journalSegments: [String]
    public var journalRecordsAfterSnapshot: Int
    /// Damage that stops (or would stop) start-up.
    public var problems: [String]
    /// Things start-up handles on its own (a torn tail, a fallback snapshot).
    public var notes: [String]

    public var description: String {
        var lines = [ok ? "OK" : "DAMAGED"]
        lines.append("generation \(generation): \(councils) councils, \(inspections) inspections, \(workforceRows) workforce rows, \(figureRows) published figure rows, \(neighbourLists) neighbour lists")
        lines.append("snapshots: " + (snapshots.isEmpty ? "none" : snapshots.joined(separator: ", ")))
        lines.append("journal segments: \(journalSegments.count), \(journalRecordsAfterSnapshot) records after the snapshot")
        lines += problems.map { "problem: " + $0 }
        lines += notes.map { "note: " + $0 }
        return lines.joined(separator: "\n")
    }
}

extension Store {
    /// Checks a data directory without changing it and without taking its lock (so it can
    /// run beside a server): every snapshot's checksum, every journal record's checksum and
    /// sequence, and that the journal applies on top of the newest good snapshot.
    public static func verify(directory: URL) -> VerifyReport {
        verify(path: directory.path)
    }

    public static func verify(path: String) -> VerifyReport {
        let fileSystem = FileSystem(faults: nil)
        let directory = DataDirectory(path: path, fileSystem: fileSystem)
        var report = VerifyReport(ok: true, generation: 0, councils: 0, inspections: 0, workforceRows: 0, snapshots: [],
                                  journalSegments: [], journalRecordsAfterSnapshot: 0, problems: [], notes: [])
        guard fileSystem.exists(path) else {
            report.ok = false
            report.problems.append("\(path) does not exist")
            return report
        }
        do {
            for snapshot in try directory.snapshots() {
                do {
                    _ = try Snapshot.read(path: snapshot.path, fileSystem: fileSystem)
                    report.snapshots.append("\(snapshot.path) (generation \(snapshot.generation), ok)")
                } catch {
                    report.snapshots.append("\(snapshot.path) (damaged)")
                    report.problems.append("\(error)")
                }
            }
            report.journalSegments = try directory.segments().map(\.path)
            var options = StoreOptions()
            options.log = { _ in }
            let loaded = try Recovery.load(directory, options: options, repair: false)
            report.generation = loaded.state.generation
            report.councils = loaded.state.councilCount
            report.inspections = loaded.state.inspectionCount
            report.workforceRows = loaded.state.workforceCount
            report.figureRows = loaded.state.figureCount
            report.neighbourLists = loaded.state.neighbourListCount
            report.journalRecordsAfterSnapshot = loaded.journalRecords
            report.notes += loaded.notes.filter { note in !report.problems.contains { note.hasPrefix($0) } }
        } catch {
            report.ok = false
            report.problems.append("\(error)")
        }
        if !report.problems.isEmpty { report.ok = false }
        return report
    }
}
