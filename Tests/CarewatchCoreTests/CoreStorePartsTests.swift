import Foundation
import Synchronization
import XCTest
@testable import CarewatchCore

/// The parts `Store` is built from, each on its own: the snapshot schedule, file retention,
/// the writer lock, the snapshot format, and the commit pipeline's callbacks.
final class CoreStorePartsTests: XCTestCase {
    // MARK: snapshot schedule (monotonic instants made up by the test)

    func testScheduleSnapshotsByCountAndByTimeSinceTheFirstChange() {
        let t0 = ContinuousClock.now
        var schedule = SnapshotSchedule(everyChanges: 3, interval: .seconds(10), retryDelay: .seconds(5),
                                        snapshotGeneration: 7, durableGeneration: 7, now: t0)
        XCTAssertEqual(schedule.next(at: t0), .idle, "nothing to snapshot")
        schedule.committed(through: 8, at: t0 + .seconds(1))
        XCTAssertEqual(schedule.changesSinceSnapshot, 1)
        XCTAssertEqual(schedule.next(at: t0 + .seconds(2)), .wake(at: t0 + .seconds(11)), "interval counts from the first change")
        XCTAssertEqual(schedule.next(at: t0 + .seconds(11)), .snapshot)
        schedule.committed(through: 10, at: t0 + .seconds(3))
        XCTAssertEqual(schedule.next(at: t0 + .seconds(3)), .snapshot, "three changes")
        schedule.started()
        XCTAssertEqual(schedule.next(at: t0 + .seconds(20)), .idle, "never two at once")
        // A commit lands while the snapshot of generation 10 is written.
        schedule.committed(through: 11, at: t0 + .seconds(4))
        schedule.written(generation: 10, at: t0 + .seconds(5))
        schedule.finished(failed: false, at: t0 + .seconds(5))
        XCTAssertEqual(schedule.changesSinceSnapshot, 1)
        XCTAssertEqual(schedule.next(at: t0 + .seconds(6)), .wake(at: t0 + .seconds(15)), "the next interval starts when the snapshot was written")
    }

    func testZeroTurnsTheCountOrTheTimeOff() {
        let t0 = ContinuousClock.now
        // --snapshot-every 0: by time only, however many commits.
        var byTime = SnapshotSchedule(everyChanges: 0, interval: .seconds(10), retryDelay: .seconds(5),
                                      snapshotGeneration: 0, durableGeneration: 0, now: t0)
        byTime.committed(through: 1_000_000, at: t0)
        XCTAssertEqual(byTime.next(at: t0 + .seconds(1)), .wake(at: t0 + .seconds(10)), "0 is no count, not a count of one")
        XCTAssertEqual(byTime.next(at: t0 + .seconds(10)), .snapshot)
        // --snapshot-interval 0: by count only, however long.
        var byCount = SnapshotSchedule(everyChanges: 3, interval: .zero, retryDelay: .seconds(5),
                                       snapshotGeneration: 0, durableGeneration: 0, now: t0)
        byCount.committed(through: 2, at: t0)
        XCTAssertEqual(byCount.next(at: t0 + .seconds(86_400)), .idle, "a zero interval is no interval, not one that is always due")
        byCount.committed(through: 3, at: t0)
        XCTAssertEqual(byCount.next(at: t0), .snapshot)
        // Both off: never scheduled.
        var never = SnapshotSchedule(everyChanges: 0, interval: .zero, retryDelay: .seconds(5),
                                     snapshotGeneration: 0, durableGeneration: 0, now: t0)
        never.committed(through: 50_000, at: t0)
        XCTAssertEqual(never.next(at: t0 + .seconds(86_400)), .idle)
    }

    func testScheduleBacksOffAfterAFailedSnapshot() {
        let t0 = ContinuousClock.now
        var schedule = SnapshotSchedule(everyChanges: 1, interval: .seconds(300), retryDelay: .seconds(30),
                                        snapshotGeneration: 0, durableGeneration: 0, now: t0)
        schedule.committed(through: 1, at: t0)
        XCTAssertEqual(schedule.next(at: t0), .snapshot)
        schedule.started()
        schedule.finished(failed: true, at: t0 + .seconds(1))
        schedule.committed(through: 2, at: t0 + .seconds(2))
        XCTAssertEqual(schedule.next(at: t0 + .seconds(2)), .wake(at: t0 + .seconds(31)), "no retry before the delay, however many commits")
        XCTAssertEqual(schedule.next(at: t0 + .seconds(31)), .snapshot)
        schedule.written(generation: 2, at: t0 + .seconds(32))
        XCTAssertEqual(schedule.changesSinceSnapshot, 0)
        XCTAssertNil(schedule.retryAt)
    }

    func testScheduleCountsChangesReplayedAtStartUp() {
        let t0 = ContinuousClock.now
        let schedule = SnapshotSchedule(everyChanges: 100, interval: .seconds(60), retryDelay: .seconds(1),
                                        snapshotGeneration: 40, durableGeneration: 45, now: t0)
        XCTAssertEqual(schedule.changesSinceSnapshot, 5)
        XCTAssertEqual(schedule.next(at: t0), .wake(at: t0 + .seconds(60)))
    }

    // MARK: file retention

    func testRetentionKeepsSnapshotsTheirJournalAndAHistoryFloor() {
        let snapshots: [(generation: UInt64, path: String)] = [(10, "s10"), (20, "s20"), (30, "s30")]
        // Segments hold 1…9, 10…19, 20…29, 30…39 (active).
        let segments: [(firstSequence: UInt64, path: String)] = [(1, "j1"), (10, "j10"), (20, "j20"), (30, "j30")]
        var retention = FileRetention(snapshots: 2, journalRecords: 0)
        // Keeping s20 and s30: records up to 20 are in the oldest kept snapshot, so j1 and j10 go.
        XCTAssertEqual(retention.obsolete(snapshots: snapshots, segments: segments, newestSequence: 35), ["s10", "j1", "j10"])
        retention.journalRecords = 20
        // History keeps records 16…35: j10 (10…19) stays, j1 goes.
        XCTAssertEqual(retention.obsolete(snapshots: snapshots, segments: segments, newestSequence: 35), ["s10", "j1"])
        retention = FileRetention(snapshots: 1, journalRecords: 0)
        XCTAssertEqual(retention.obsolete(snapshots: snapshots, segments: segments, newestSequence: 35), ["s10", "s20", "j1", "j10", "j20"])
        XCTAssertEqual(retention.obsolete(snapshots: [], segments: segments, newestSequence: 35), [], "no snapshot: the journal is everything")
    }

    func testRetainedJournalRecordsSurviveSnapshots() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        var options = quietOptions()
        options.retainedJournalRecords = 5
        let store = try Store.open(path: directory, options: options)
        defer { store.close() }
        for number in 1...12 {
            try store.apply([.putCouncil(CorePersistenceTests.council(number))])
            try store.compact()   // each compaction rotates: one segment per record
        }
        let firsts = files(in: directory, prefix: "journal-").map { UInt64($0.suffix(24).prefix(20))! }
        XCTAssertEqual(firsts.first, 8, "records 8…12 are kept for history, older segments go")
    }

    // MARK: writer lock

    func testWriterLockIsFirstComeFirstServedForAsyncAndBlockingWriters() async {
        let lock = WriterLock()
        let order = Shared<[Int]>([])
        await lock.acquire()
        let blocked = Thread {
            lock.acquireBlocking()
            order.withLock { $0.append(1) }
            lock.release()
        }
        blocked.start()
        while lock.waiting < 1 { usleep(1_000) }
        let suspended = Task {
            await lock.acquire()
            order.withLock { $0.append(2) }
            lock.release()
        }
        while lock.waiting < 2 { usleep(1_000) }
        order.withLock { $0.append(0) }
        lock.release()
        await suspended.value
        while !blocked.isFinished { usleep(1_000) }
        XCTAssertEqual(order.withLock { $0 }, [0, 1, 2])
        XCTAssertEqual(lock.waiting, 0)
        await lock.acquire()   // free again
        lock.release()
    }

    // MARK: snapshot format

    func testCRC32MatchesTheStandardCheckValueAtEveryLength() {
        XCTAssertEqual(CRC32.hex(CRC32.checksum(Array("123456789".utf8))), "cbf43926")
        // Slicing-by-8 against the one-byte-at-a-time definition, across alignments and tails.
        let bytes = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in 0...bytes.count {
            var crc: UInt32 = ~0
            for byte in bytes.prefix(length) {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
            }
            XCTAssertEqual(CRC32.checksum(Array(bytes.prefix(length))), ~crc, "length \(length)")
            XCTAssertEqual(CRC32.checksum(Array(bytes[1..<max(1, length)])), CRC32.checksum(Array(bytes[1..<max(1, length)]).map { $0 }))
        }
    }

    /// Writes a snapshot file by hand (header with the real checksum) around `body`.
    private func snapshotFile(_ body: String, generation: UInt64 = 3) -> String {
        let directory = makeTemporaryDirectory(self)
        let bytes = Array(body.utf8)
        let header = "carewatch-snapshot 1 generation=\(generation) committed_at=1763892000 length=\(bytes.count) crc32=\(CRC32.hex(CRC32.checksum(bytes)))\n"
        let path = directory + "/snapshot-\(DataDirectory.padded(generation)).json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(Array(header.utf8) + bytes))
        return path
    }

    private let council = #"{"code":"E06000001","la_code":805,"slug":"hartlepool","name":"Hartlepool","region":"North East","kind":"unitary","former_codes":[],"updated_at":"2026-01-01T00:00:00Z","version":1}"#

    func testSnapshotRowsDecodeFastOrGenerallyAndAgree() throws {
        // The layout the store writes, the same members reordered and spaced, an escaped key
        // and a non-ASCII source: the first takes the fast decoder, the rest fall back.
        let rows = [
            #"{"council":"E06000001","year":2020,"employed_fte":100.5,"agency_fte":10,"agency_rate":9.1,"vacancy_fte":null,"vacancy_rate":null,"leavers_fte":1e1,"turnover_rate":null,"caseload":-0.0,"absence_rate":null,"asye_share":2.5,"source":"dfe","version":4}"#,
            #"{ "year" : 2021 , "council" : "E06000001", "version": 5, "caseload": 17.9 }"#,
            #"{"council":"E06000001","\u0079ear":2022,"source":"caf\u00e9 ✓","version":6}"#,
        ]
        let path = snapshotFile(#"{"generation":3,"councils":[\#(council)],"inspections":[],"workforce":[\#(rows.joined(separator: ","))]}"#)
        let state = try Snapshot.read(path: path, fileSystem: FileSystem(faults: nil))
        let loaded = state.workforce(ofCouncil: "E06000001")
        XCTAssertEqual(loaded.map(\.year), [2020, 2021, 2022])
        for (row, text) in zip(loaded, rows) {
            XCTAssertEqual(row, try WorkforceYear(json: JSONParser.parse(text), storage: true), text)
        }
        XCTAssertEqual(loaded[0].leaversFTE, 10)
        XCTAssertEqual(loaded[2].source, "café ✓")
        XCTAssertEqual(state.workforceCount, 3)
        XCTAssertEqual(state.workforceByYear.keys.sorted(), [2020, 2021, 2022])
    }

    func testFastRowDecoderAgreesWithTheGeneralOneOnEveryNumberForm() throws {
        let numbers = ["0", "-0", "7", "12", "-12.5", "0.05", "100.000", "3.1", "999999999999999", "0.00000000000001",
                       "1234567890123456", "0.1234567890123456789", "1e3", "-1.5E-2", "2.5e+1", "null", "17.9", "18.8"]
        var seed: UInt64 = 42
        func pick() -> String {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return numbers[Int(seed >> 33) % numbers.count]
        }
        let figures = ["employed_fte", "agency_fte", "agency_rate", "vacancy_fte", "vacancy_rate", "leavers_fte", "turnover_rate",
                       "caseload", "absence_rate", "asye_share"]
        var fastRows = 0
        for index in 0..<500 {
            let members = ["\"council\":\"E06000001\"", "\"year\":\(2000 + index % 100)"] + figures.map { "\"\($0)\":\(pick())" }
                + ["\"source\":\"dfe\"", "\"version\":\(index)"]
            let text = "{" + members.joined(separator: ",") + "}"
            let bytes = Array(text.utf8)
            let fast = bytes.withUnsafeBufferPointer { buffer -> WorkforceYear? in
                var parser = Parser(bytes: buffer)
                let row = WorkforceYear.decodeStored(&parser)
                XCTAssertEqual(parser.index, row == nil ? 0 : buffer.count, "consumed the row whole, or nothing")
                return row
            }
            let general = try WorkforceYear(json: JSONParser.parse(bytes), storage: true)
            guard let fast else { continue }   // a form the fast path leaves to the general decoder
            fastRows += 1
            XCTAssertEqual(fast, general, text)
            for (a, b) in zip(fast.figures, general.figures) {
                XCTAssertEqual(a.value?.bitPattern, b.value?.bitPattern, "\(a.field) in \(text)")
            }
        }
        XCTAssertGreaterThan(fastRows, 20, "the fast path was exercised")
    }

    func testSnapshotProblemsAreNamed() throws {
        func problem(_ body: String) -> String {
            do {
                _ = try Snapshot.read(path: snapshotFile(body), fileSystem: FileSystem(faults: nil))
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(problem(#"{"generation":3,"councils":[\#(council)],"workforce":[{"council":"E06000001","year":2020,"colour":"red"}]}"#)
            .contains("colour"), "an unknown member of a row is named")
        XCTAssertTrue(problem(#"{"generation":3,"councils":[\#(council)],"referenda":[]}"#).contains("referenda"),
                      "a collection this build does not know is refused, not dropped")
        XCTAssertTrue(problem(#"{"generation":3,"councils":[\#(council)],"workforce":[{"council":"E06000001","year":2020},{"council":"E06000001","year":2020}]}"#)
            .contains("appears twice"))
        XCTAssertTrue(problem(#"{"generation":3,"councils":[\#(council)],"workforce":[{"council":"E09999999","year":2020}]}"#)
            .contains("not a council"))
        XCTAssertTrue(problem(#"{"generation":3,"councils":[\#(council)],"workforce":[{"council":"E06000001","year":2020.5}]}"#)
            .contains("year"))
        XCTAssertTrue(problem(#"{"generation":4,"councils":[]}"#).contains("generation in the body"))
        XCTAssertEqual(problem(#"{"generation":3,"councils":[\#(council)]}"#), "loaded", "a snapshot from before a section existed loads")
        // A flipped byte is a checksum mismatch, whether or not the body still parses.
        let path = snapshotFile(#"{"generation":3,"councils":[\#(council)],"workforce":[]}"#)
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        bytes[bytes.count - 3] = UInt8(ascii: "{")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        XCTAssertThrowsError(try Snapshot.read(path: path, fileSystem: FileSystem(faults: nil))) {
            XCTAssertTrue("\($0)".contains("checksum mismatch"), "\($0)")
        }
    }

    // MARK: commit pipeline

    func testSubscribersGetEveryRecordInOrderBeforeTheWriterIsAnswered() async throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions())
        defer { store.close() }
        let seen = Shared<[UInt64]>([])
        store.subscribe { records in seen.withLock { $0 += records.map(\.sequence) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 1...40 {
                group.addTask {
                    let committed = try await store.commit { _ in ([.putCouncil(CorePersistenceTests.council(number))], number) }
                    XCTAssertEqual(committed.result, number)
                    let sequence = committed.state.council(named: CorePersistenceTests.council(number).code)!.version
                    XCTAssertEqual(committed.changes.count, 1)
                    XCTAssertTrue(seen.withLock { $0.contains(sequence) }, "subscribers hear of a write before it is answered")
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(seen.withLock { $0 }, Array(1...40))
        // A write that changes nothing is answered with the durable state and journals nothing.
        let unchanged = try await store.commit { _ in ([], "nothing") }
        XCTAssertEqual(unchanged.state.generation, 40)
        XCTAssertEqual(unchanged.changes, [])
        XCTAssertEqual(store.statistics.commits, 40)
    }

    func testAsyncWritesSurfaceRuleAndDiskFailuresUnapplied() async throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let faults = FileSystemFaults()
        var options = quietOptions()
        options.faults = faults
        let store = try Store.open(path: directory, options: options)
        defer { store.close() }
        try await store.apply([.putCouncil(CorePersistenceTests.council(1))])
        do {
            try await store.apply([.putInspection(sampleInspection(council: "nowhere"))])
            XCTFail("a change that breaks a store rule is refused")
        } catch let error as ValidationError {
            XCTAssertEqual(error.errors.map(\.field), ["council"])
        }
        faults.failNext(.sync, errno: EIO)
        do {
            try await store.apply([.putCouncil(CorePersistenceTests.council(2))])
            XCTFail("an unsynced write is never acknowledged")
        } catch let error as StoreError {
            guard case .io(operation: "fdatasync", _, EIO) = error else { return XCTFail("\(error)") }
        }
        XCTAssertNil(store.state.council(named: CorePersistenceTests.council(2).code))
        try await store.apply([.putCouncil(CorePersistenceTests.council(3))])
        XCTAssertEqual(store.state.generation, 2, "the sequence goes on without a gap")
    }
}

/// A value shared between the test and the threads or tasks it starts.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}
