import Foundation
import XCTest
@testable import CarewatchCore

/// The store's history: what each write changed, numbered by a change sequence that only
/// grows, kept through the journal, snapshots, retention and restores.
final class HistoryStoreTests: XCTestCase {
    /// One line per change, to compare histories.
    func lines(_ state: StoreState) -> [String] {
        var lines: [String] = []
        state.history.view().forEach { event in
            let fields = event.fields.map { "\($0.field):\(text($0.old))>\(text($0.new))" }.joined(separator: ",")
            lines.append("\(event.sequence) v\(event.commit.version) \(event.commit.origin?.kind.rawValue ?? "-") \(event.key) \(event.action.rawValue) \(fields)")
            return true
        }
        return lines
    }

    func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .number(let number): return DecimalText.format(number)
        case .string(let string): return string
        default: return String(decoding: value.serialized(), as: UTF8.self)
        }
    }

    let write = Origin(kind: .write, keyID: "0123456789ab", request: "PUT /v1/councils/E08000028/workforce/2024")

    func testEachWriteRecordsWhatChangedAndWhy() throws {
        var state = StoreState()
        try state.apply([.putCouncil(sampleCouncil())], sequence: 1, at: Timestamp(secondsSince1970: 10), origin: .seed)
        try state.apply([.putWorkforce(WorkforceYear(council: "sandwell", year: 2024, employedFTE: 200, leaversFTE: 2, turnoverRate: 1, source: "a.csv"))],
                        sequence: 2, at: Timestamp(secondsSince1970: 20), origin: write)
        // A number becomes DfE's symbol, and another comes back from one.
        try state.apply([.putWorkforce(WorkforceYear(council: "E08000028", year: 2024, employedFTE: 200, turnoverRate: 1, source: "b.csv",
                                                     suppressed: ["leavers_fte": "u"]))], sequence: 3, at: Timestamp(secondsSince1970: 30), origin: write)
        try state.apply([.putWorkforce(WorkforceYear(council: "E08000028", year: 2024, employedFTE: 200, leaversFTE: 3, turnoverRate: 1, source: "b.csv"))],
                        sequence: 4, at: Timestamp(secondsSince1970: 40), origin: write)
        // Identical: no change, no history, no version.
        let unchanged = try state.apply([.putWorkforce(WorkforceYear(council: "E08000028", year: 2024, employedFTE: 200, leaversFTE: 3, turnoverRate: 1, source: "b.csv"))],
                                        sequence: 5, at: Timestamp(secondsSince1970: 50), origin: write)
        XCTAssertTrue(unchanged.isEmpty)
        XCTAssertEqual(lines(state), [
            "1 v1 seed council(\"E08000028\") created ",
            "2 v2 write workforce(council: \"E08000028\", year: 2024) created ",
            "3 v3 write workforce(council: \"E08000028\", year: 2024) updated leavers_fte:2>u,source:a.csv>b.csv",
            "4 v4 write workforce(council: \"E08000028\", year: 2024) updated leavers_fte:u>3",
        ])
        // A council's deletion takes its rows with it: each is a change of its own, with its last values.
        try state.apply([.deleteCouncil(code: "sandwell")], sequence: 6, at: Timestamp(secondsSince1970: 60))
        XCTAssertEqual(lines(state).suffix(2), [
            "5 v6 - council(\"E08000028\") deleted la_code:333>null,slug:sandwell>null,name:Sandwell>null,region:West Midlands>null,kind:metropolitan_district>null,former_codes:[]>null",
            "6 v6 - workforce(council: \"E08000028\", year: 2024) deleted employed_fte:200>null,leavers_fte:3>null,turnover_rate:1>null,source:b.csv>null",
        ])
        XCTAssertEqual(state.history.latest, 6)

        // The versions of the row, newest first in the API; here oldest first, the creation with its first values.
        let versions = state.versions(of: .workforce(council: "E08000028", year: 2024))
        XCTAssertEqual(versions.map(\.event.action), [.created, .updated, .updated, .deleted])
        XCTAssertEqual(versions[0].fields.map { "\($0.field)=\(text($0.new))" }, ["employed_fte=200", "leavers_fte=2", "turnover_rate=1", "source=a.csv"])
        XCTAssertEqual(versions[0].event.commit.origin, write)
    }

    /// A row's put compares the two rows in place (it runs on every PUT); it must list exactly
    /// what comparing their history fields lists: numbers, symbols, nulls and the source.
    func testARowsChangesInPlaceMatchTheFieldDiff() {
        let base = WorkforceYear(council: "E08000028", year: 2024, employedFTE: 200, agencyFTE: 10, leaversFTE: 2, turnoverRate: 1,
                                 source: "a.csv")
        var rows = [base]
        var withheld = base
        withheld.leaversFTE = nil
        withheld.turnoverRate = nil
        withheld.suppressed = ["leavers_fte": "u", "turnover_rate": "c"]
        rows.append(withheld)
        var otherSymbol = withheld
        otherSymbol.suppressed["turnover_rate"] = "u"
        rows.append(otherSymbol)
        var emptied = base
        emptied.agencyFTE = nil
        emptied.caseload = 17.5
        emptied.source = nil
        rows.append(emptied)
        var symbolBesideNumber = base
        symbolBesideNumber.suppressed = ["employed_fte": "x"]
        rows.append(symbolBesideNumber)
        for old in rows {
            for new in rows {
                XCTAssertEqual(new.historyChanges(from: old), RecordFields.diff(old.historyFields, new.historyFields), "\(old) → \(new)")
            }
        }
        XCTAssertEqual(withheld.historyChanges(from: base).map(\.field), ["leavers_fte", "turnover_rate"])
    }

    func testHistoryAndReleasesSurviveTheJournalAndSnapshots() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        var options = quietOptions()
        options.snapshotEveryChanges = 1_000_000
        let store = try Store.open(path: directory, options: options)
        _ = try store.write(origin: .seed) { _ in ([.putCouncil(sampleCouncil())], ()) }
        let release = Origin(kind: .release, file: FileIdentity(name: "x.csv", sha256: String(repeating: "a", count: 64), format: "dfe_workforce_csv"),
                             release: ReleaseMetadata(id: "x", publisher: "DfE", title: "X", reportingYear: 2024, published: CalendarDate(iso: "2025-02-27")))
        _ = try store.write(origin: release) { _ in ([.putWorkforce(WorkforceYear(council: "E08000028", year: 2024, employedFTE: 1))], ()) }
        _ = try store.write(origin: write) { _ in ([.putWorkforce(WorkforceYear(council: "E08000028", year: 2024, employedFTE: 2))], ()) }
        let expected = store.state
        XCTAssertEqual(expected.releases().map(\.id), ["x"])
        XCTAssertEqual(expected.releases()[0].changed, ReleaseChanges(created: 1, updated: 0, deleted: 0, revisedFigures: 0, revisedRows: 0))

        // From the journal alone (a crash image), then from the snapshot a clean close writes.
        let image = try crashImage(of: directory)
        let replayed = try Store.open(path: image, options: options)
        XCTAssertEqual(lines(replayed.state), lines(expected))
        XCTAssertEqual(replayed.state.releases(), expected.releases())
        replayed.close()
        store.close()
        let reopened = try Store.open(path: directory, options: options)
        XCTAssertEqual(lines(reopened.state), lines(expected))
        XCTAssertEqual(reopened.state.releases(), expected.releases())
        // The sequence goes on from where it was.
        _ = try reopened.write(origin: write) { _ in ([.putWorkforce(WorkforceYear(council: "E08000028", year: 2024, employedFTE: 3))], ()) }
        XCTAssertEqual(reopened.state.history.latest, 4)
        reopened.close()
    }

    /// Retention keeps at least the setting's number of changes, dropping whole chunks, and a
    /// snapshot keeps the floor: what is gone stays gone.
    func testRetentionDropsTheOldestChunksAndKeepsTheFloor() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        var options = quietOptions()
        options.retainedChanges = 5000
        let store = try Store.open(path: directory, options: options)
        _ = try store.write { _ in ([.putCouncil(sampleCouncil())], ()) }
        for batch in 0..<5 {
            let rows = (0..<2000).map { index in Change.putWorkforce(WorkforceYear(council: "E08000028", year: 2000 + index % 20, employedFTE: Double(batch * 10_000 + index))) }
            _ = try store.write { _ in (rows, ()) }
        }
        let view = store.state.history.view()
        XCTAssertEqual(view.latest, 10_001)
        XCTAssertEqual(view.floor, 4096, "one chunk of 4,096 went; the rest hold at least 5,000")
        XCTAssertGreaterThanOrEqual(view.count, 5000)
        XCTAssertNil(view.event(4096))
        XCTAssertEqual(view.event(4097)?.sequence, 4097)
        XCTAssertEqual(view.events(after: 0, limit: 2).map(\.sequence), [4097, 4098])
        XCTAssertEqual(store.statistics.oldestChange, 4097)
        XCTAssertEqual(store.statistics.historyRetention, 5000)
        store.close()
        let reopened = try Store.open(path: directory, options: options)
        defer { reopened.close() }
        XCTAssertEqual(reopened.state.history.floor, 4096)
        XCTAssertEqual(reopened.state.history.latest, 10_001)
    }

    /// A restore replaces the data wholesale: its history starts empty, numbered past every
    /// change the replaced data had, so a consumer of the feed is told to read afresh.
    func testRestoreContinuesTheSequence() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions())
        _ = try store.write { _ in ([.putCouncil(sampleCouncil()), .putWorkforce(WorkforceYear(council: "E08000028", year: 2024, employedFTE: 1))], ()) }
        _ = try store.write { _ in ([.putWorkforce(WorkforceYear(council: "E08000028", year: 2023, employedFTE: 1))], ()) }
        XCTAssertEqual(store.state.history.latest, 3)
        let backup = Exporter.document(councils: store.state.councilsAll(), inspections: [], workforce: store.state.workforceAll())
        store.close()
        _ = try Store.restore(from: backup, path: directory, replace: true, options: quietOptions())
        let restored = try Store.open(path: directory, options: quietOptions())
        defer { restored.close() }
        XCTAssertEqual(restored.state.history.floor, 4, "one past the replaced data's last change")
        XCTAssertEqual(restored.state.history.latest, 4)
        XCTAssertTrue(lines(restored.state).isEmpty)
        _ = try restored.write { _ in ([.putWorkforce(WorkforceYear(council: "E08000028", year: 2022, employedFTE: 1))], ()) }
        XCTAssertEqual(restored.state.history.latest, 5)
    }

    /// Journals and snapshots written before history load: a record without origin or change
    /// numbers is numbered after the ones before, and an old snapshot's sequence starts at its
    /// generation.
    func testOldJournalRecordsAndSnapshotsLoad() throws {
        let line = Array(#"{"seq":7,"at":100,"changes":[{"op":"delete_council","code":"E08000028"}]"#.utf8)
        let record = Array(line + Array(",\"crc32\":\"\(CRC32.hex(CRC32.checksum(line)))\"}".utf8))
        guard case .success(let decoded) = JournalRecord.decode(record[...]) else { return XCTFail("an old record must decode") }
        XCTAssertNil(decoded.origin)
        XCTAssertNil(decoded.changeSequence)
        let newer = JournalRecord(sequence: 8, at: Timestamp(secondsSince1970: 1), changes: decoded.changes, origin: write, changeSequence: 11...12).encode()
        guard case .success(let round) = JournalRecord.decode(newer.dropLast()) else { return XCTFail("a new record must decode") }
        XCTAssertEqual(round.origin, write)
        XCTAssertEqual(round.changeSequence, 11...12)

        // An old snapshot: no change_sequence, no history, no releases.
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions())
        _ = try store.write { _ in ([.putCouncil(sampleCouncil())], ()) }
        _ = try store.write { _ in ([.putWorkforce(WorkforceYear(council: "E08000028", year: 2024, employedFTE: 1))], ()) }
        store.close()
        let path = files(in: directory, prefix: "snapshot-")[0]
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let header = text.prefix { $0 != "\n" }
        var body = String(text.dropFirst(header.count + 1))
        body = body.replacingOccurrences(of: #","change_sequence":2,"history_floor":0"#, with: "")
        body = String(body[..<body.range(of: #","releases":"#)!.lowerBound]) + "}"
        let bytes = Array(body.utf8)
        text = "\(Snapshot.magic) generation=2 committed_at=0 length=\(DataDirectory.padded(UInt64(bytes.count))) crc32=\(CRC32.hex(CRC32.checksum(bytes)))\n" + body
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let old = try Store.open(path: directory, options: quietOptions())
        defer { old.close() }
        XCTAssertEqual(old.state.history.latest, 2)
        XCTAssertEqual(old.state.history.floor, 2)
        _ = try old.write { _ in ([.putWorkforce(WorkforceYear(council: "E08000028", year: 2023, employedFTE: 1))], ()) }
        XCTAssertEqual(lines(old.state), ["3 v3 - workforce(council: \"E08000028\", year: 2023) created "])
    }
}
