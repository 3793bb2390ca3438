import Foundation
import Synchronization
import XCTest
@testable import CarewatchCore

final class CorePersistenceTests: XCTestCase {
    static func council(_ number: Int) -> Council {
        sampleCouncil(String(format: "E06%06d", number), la: 100 + number, name: "Council \(number)", region: .southEast, kind: .unitary)
    }

    func council(_ number: Int) -> Council { Self.council(number) }

    static func putCouncil(_ store: Store, _ number: Int) throws {
        _ = try store.write { _ in ([.putCouncil(council(number))], ()) }
    }

    func putCouncil(_ store: Store, _ number: Int) throws { try Self.putCouncil(store, number) }

    func journalSegments(_ directory: String) -> [String] { files(in: directory, prefix: "journal-") }

    func testReopenKeepsEveryWriteWithVersions() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        var store: Store? = try Store.open(path: directory, options: quietOptions())
        XCTAssertEqual(store!.state.generation, 0)
        try putCouncil(store!, 1)
        try putCouncil(store!, 2)
        let (id, _) = try store!.write { state in
            let inspection = sampleInspection(council: "E06000001")
            let id = state.makeInspectionID(for: inspection)
            var withID = inspection
            withID.id = id
            return ([.putInspection(withID), .putWorkforce(WorkforceYear(council: "council-1", year: 2020, employedFTE: 50, agencyFTE: 5))], id)
        }
        _ = try store!.apply([.deleteCouncil(code: "E06000002")])
        let expected = store!.state
        XCTAssertEqual(expected.generation, 4)
        XCTAssertEqual(expected.inspection(id: id)?.version, 3)
        XCTAssertEqual(expected.council(named: "E06000001")?.version, 1)

        // Crash image (journal only) and clean close (snapshot) both give the same state back.
        let image = try crashImage(of: directory)
        let fromJournal = try Store.open(path: image, options: quietOptions())
        XCTAssertEqual(fromJournal.state.councilsAll(), expected.councilsAll())
        XCTAssertEqual(fromJournal.state.inspectionsAll(), expected.inspectionsAll())
        XCTAssertEqual(fromJournal.state.workforceAll(), expected.workforceAll())
        XCTAssertEqual(fromJournal.state.generation, 4)
        fromJournal.close()

        store!.close()
        store = nil
        XCTAssertEqual(files(in: directory, prefix: "snapshot-").count, 1)
        let reopened = try Store.open(path: directory, options: quietOptions())
        defer { reopened.close() }
        XCTAssertEqual(reopened.state.councilsAll(), expected.councilsAll())
        XCTAssertEqual(reopened.state.inspectionsAll(), expected.inspectionsAll())
        XCTAssertEqual(reopened.state.workforceAll(), expected.workforceAll())
        XCTAssertEqual(reopened.state.generation, 4)
        try putCouncil(reopened, 3)
        XCTAssertEqual(reopened.state.council(named: "E06000003")?.version, 5)

        // Permissions: owner only.
        var info = stat()
        XCTAssertEqual(stat(directory, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)
        for file in journalSegments(directory) + files(in: directory, prefix: "snapshot-") {
            XCTAssertEqual(stat(file, &info), 0)
            XCTAssertEqual(info.st_mode & 0o777, 0o600, file)
        }
    }

    func testTornTailIsCutOff() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions())
        defer { store.close() }
        for number in 1...3 { try putCouncil(store, number) }
        let image = try crashImage(of: directory)
        let segment = journalSegments(image).last!
        let goodSize = fileSize(segment)
        let handle = FileHandle(forWritingAtPath: segment)!
        handle.seekToEndOfFile()
        handle.write(Data("{\"seq\":4,\"at\":1,\"changes\":[{\"op\":\"put_cou".utf8))
        handle.closeFile()
        let messages = Mutex<[String]>([])
        var options = quietOptions()
        options.log = { message in messages.withLock { $0.append(message) } }
        let reopened = try Store.open(path: image, options: options)
        XCTAssertEqual(reopened.state.councilCount, 3)
        XCTAssertEqual(fileSize(segment), goodSize)
        XCTAssertTrue(messages.withLock { $0 }.contains { $0.contains("torn") && $0.contains(segment) })
        try putCouncil(reopened, 4)
        reopened.close()
        XCTAssertEqual(try Store.open(path: image, options: quietOptions()).state.councilCount, 4)
    }

    func testCorruptMiddleRecordRefusedUnlessRecover() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions())
        defer { store.close() }
        for number in 1...3 { try putCouncil(store, number) }
        let image = try crashImage(of: directory)
        let segment = journalSegments(image).last!
        var bytes = [UInt8](FileManager.default.contents(atPath: segment)!)
        let secondLine = bytes.firstIndex(of: 0x0A)! + 1
        let target = secondLine + 40
        bytes[target] ^= 0x01
        XCTAssertTrue(FileManager.default.createFile(atPath: segment, contents: Data(bytes)))

        let report = Store.verify(path: image)
        XCTAssertFalse(report.ok)
        XCTAssertTrue(report.problems.joined().contains("offset \(secondLine)"), report.description)

        XCTAssertThrowsError(try Store.open(path: image, options: quietOptions())) { error in
            guard case StoreError.corruptJournal(let file, let offset, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, segment)
            XCTAssertEqual(offset, secondLine)
            XCTAssertTrue("\(error)".contains(segment))
        }
        var options = quietOptions()
        options.recover = true
        let recovered = try Store.open(path: image, options: options)
        XCTAssertNotNil(recovered.state.council(named: "E06000001"))
        XCTAssertNil(recovered.state.council(named: "E06000002"))
        XCTAssertNotNil(recovered.state.council(named: "E06000003"))
        recovered.close()
        // After a recovered start the directory is clean again.
        XCTAssertEqual(try Store.open(path: image, options: quietOptions()).state.councilCount, 2)
        XCTAssertTrue(Store.verify(path: image).ok)
    }

    func testDamagedSnapshotFallsBackOrRefusesClearly() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        var store: Store? = try Store.open(path: directory, options: quietOptions())
        try putCouncil(store!, 1)
        try store!.compact()
        try putCouncil(store!, 2)
        try store!.compact()            // the first segment is now covered by the older snapshot and removed
        try putCouncil(store!, 3)
        store!.close()
        store = nil
        let snapshots = files(in: directory, prefix: "snapshot-")
        XCTAssertEqual(snapshots.count, 2)

        func damage(_ path: String) {
            var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            bytes[bytes.count - 10] ^= 0x20
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        }
        // Newest snapshot damaged: fall back to the older one plus the journal.
        let image = try crashImage(of: directory)
        damage(files(in: image, prefix: "snapshot-").last!)
        XCTAssertFalse(Store.verify(path: image).ok)
        let fallback = try Store.open(path: image, options: quietOptions())
        XCTAssertEqual(fallback.state.councilCount, 3)
        fallback.close()

        // Both damaged and the journal no longer reaches back: refuse, naming the snapshot.
        let broken = try crashImage(of: directory)
        for path in files(in: broken, prefix: "snapshot-") { damage(path) }
        XCTAssertThrowsError(try Store.open(path: broken, options: quietOptions())) { error in
            XCTAssertTrue("\(error)".contains("snapshot-"), "\(error)")
            XCTAssertTrue("\(error)".contains("damaged"), "\(error)")
        }
    }

    func testTwoStoresCannotShareADirectory() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions())
        XCTAssertThrowsError(try Store.open(path: directory, options: quietOptions())) { error in
            XCTAssertEqual(error as? StoreError, .locked(directory: directory))
            XCTAssertTrue("\(error)".contains(directory))
        }
        store.close()
        XCTAssertNoThrow(try Store.open(path: directory, options: quietOptions()).close())
    }

    func testDiskFailuresAreNeverAcknowledged() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let faults = FileSystemFaults()
        var options = quietOptions()
        options.faults = faults
        let store = try Store.open(path: directory, options: options)
        defer { store.close() }
        try putCouncil(store, 1)
        let segment = journalSegments(directory).last!
        let sizeBefore = fileSize(segment)
        let stateBefore = store.state

        let cases: [(FileSystemFaults.Operation, Int32, Bool)] = [(.sync, EIO, false), (.write, ENOSPC, true), (.write, EROFS, false)]
        for (operation, code, partial) in cases {
            faults.failNext(operation, errno: code, partial: partial)
            XCTAssertThrowsError(try putCouncil(store, 2)) { error in
                XCTAssertEqual(error as? StoreError, .io(operation: operation == .sync ? "fdatasync" : "write", path: segment, errno: code))
            }
            XCTAssertNil(store.state.council(named: "E06000002"))
            XCTAssertEqual(store.state.generation, stateBefore.generation)
            XCTAssertEqual(fileSize(segment), sizeBefore, "journal cut back after \(operation)")
        }
        XCTAssertEqual(Store.verify(path: directory).ok, true)
        // The store carries on, and the sequence continues without a gap.
        try putCouncil(store, 3)
        XCTAssertEqual(store.state.generation, stateBefore.generation + 1)
        let reopened = try Store.open(path: crashImage(of: directory), options: quietOptions())
        XCTAssertNil(reopened.state.council(named: "E06000002"))
        XCTAssertNotNil(reopened.state.council(named: "E06000003"))
        reopened.close()

        // If the undo itself fails the store stops taking writes rather than guess.
        faults.failNext(.sync, errno: EIO)
        faults.failNext(.truncate, errno: EIO)
        XCTAssertThrowsError(try putCouncil(store, 4))
        XCTAssertThrowsError(try putCouncil(store, 5)) { XCTAssertTrue("\($0)".contains("not accepting writes")) }
        XCTAssertNil(store.state.council(named: "E06000004"))
    }

    func testGroupCommitWithConcurrentWriters() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions())
        defer { store.close() }
        let writers = 8, each = 40
        let failures = Mutex(0)
        let group = DispatchGroup()
        for writer in 0..<writers {
            group.enter()
            let thread = Thread {
                for index in 0..<each {
                    do { try CorePersistenceTests.putCouncil(store, writer * each + index + 1) } catch { failures.withLock { $0 += 1 } }
                }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        XCTAssertEqual(failures.withLock { $0 }, 0)
        let statistics = store.statistics
        XCTAssertEqual(statistics.commits, writers * each)
        XCTAssertLessThan(statistics.syncs, statistics.commits, "concurrent writers should share fsyncs")
        let reopened = try Store.open(path: crashImage(of: directory), options: quietOptions())
        XCTAssertEqual(reopened.state.councilCount, writers * each)
        XCTAssertEqual(reopened.state.generation, UInt64(writers * each))
        reopened.close()
    }

    func testCompactionEveryNChangesRemovesCoveredSegments() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        var options = quietOptions()
        options.snapshotEveryChanges = 5
        let store = try Store.open(path: directory, options: options)
        for number in 1...23 {
            try putCouncil(store, number)
            // Let background snapshots finish deterministically between writes.
            store.waitForBackgroundSnapshot()
        }
        XCTAssertGreaterThanOrEqual(store.statistics.lastSnapshotGeneration ?? 0, 20)
        XCTAssertLessThanOrEqual(files(in: directory, prefix: "snapshot-").count, 2)
        XCTAssertLessThanOrEqual(journalSegments(directory).count, 3)
        let image = try crashImage(of: directory)
        store.close()
        XCTAssertEqual(try Store.open(path: image, options: quietOptions()).state.councilCount, 23)
        XCTAssertEqual(try Store.open(path: directory, options: quietOptions()).state.councilCount, 23)
    }

    func testValidationErrorsFromStoreRulesPassThroughUnapplied() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions())
        defer { store.close() }
        try putCouncil(store, 1)
        XCTAssertThrowsError(try store.apply([.putCouncil(council(2)), .putInspection(sampleInspection(council: "nowhere"))])) {
            XCTAssertEqual(($0 as? ValidationError)?.errors.map(\.field), ["council"])
        }
        XCTAssertNil(store.state.council(named: "E06000002"))   // all or nothing
        struct Conflict: Error {}
        XCTAssertThrowsError(try store.write { _ throws -> (changes: [Change], result: Int) in throw Conflict() }) { XCTAssertTrue($0 is Conflict) }
        XCTAssertEqual(store.state.generation, 1)
    }

    func testJournalRotatesIntoSegmentsAndReplaysAcrossThem() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        var options = quietOptions()
        options.segmentBytes = 600
        let store = try Store.open(path: directory, options: options)
        defer { store.close() }
        for number in 1...12 { try putCouncil(store, number) }
        XCTAssertGreaterThan(journalSegments(directory).count, 3)
        let image = try crashImage(of: directory)
        let reopened = try Store.open(path: image, options: quietOptions())
        XCTAssertEqual(reopened.state.councilCount, 12)
        XCTAssertEqual(reopened.state.generation, 12)
        reopened.close()
        let report = Store.verify(path: image)
        XCTAssertTrue(report.ok, report.description)
        XCTAssertEqual(report.councils, 12)
        // A damaged record in a segment that is not the last is never taken for a torn tail.
        let damaged = try crashImage(of: directory)
        let first = journalSegments(damaged)[0]
        var bytes = [UInt8](FileManager.default.contents(atPath: first)!)
        bytes.removeLast(5)
        XCTAssertTrue(FileManager.default.createFile(atPath: first, contents: Data(bytes)))
        XCTAssertThrowsError(try Store.open(path: damaged, options: quietOptions())) { error in
            guard case StoreError.corruptJournal(let file, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, first)
        }
    }

    func testSnapshotAfterIntervalWithoutFurtherWrites() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        var options = quietOptions()
        options.snapshotInterval = 0.05
        let store = try Store.open(directory: URL(fileURLWithPath: directory), options: options)
        defer { store.close() }
        try putCouncil(store, 1)
        // The committer wakes for the interval on its own; poll (bounded) instead of sleeping a fixed time.
        var waited = 0
        while store.statistics.lastSnapshotGeneration != 1 && waited < 1000 {
            usleep(10_000)
            waited += 1
        }
        store.waitForBackgroundSnapshot()
        XCTAssertEqual(store.statistics.lastSnapshotGeneration, 1)
        XCTAssertEqual(store.statistics.changesSinceSnapshot, 0)
        XCTAssertEqual(files(in: directory, prefix: "snapshot-").count, 1)
        let report = Store.verify(directory: URL(fileURLWithPath: directory))
        XCTAssertTrue(report.ok, report.description)
        XCTAssertEqual(report.generation, 1)
    }

    func testFailingSnapshotsDoNotAffectWrites() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let faults = FileSystemFaults()
        var options = quietOptions()
        options.faults = faults
        options.snapshotEveryChanges = 2
        let store = try Store.open(path: directory, options: options)
        faults.failAlways(.rename, errno: ENOSPC, pathContains: "snapshot-")
        for number in 1...6 {
            try putCouncil(store, number)
            store.waitForBackgroundSnapshot()
        }
        XCTAssertGreaterThan(faults.firedCount, 0)
        XCTAssertEqual(files(in: directory, prefix: "snapshot-").count, 0)
        XCTAssertTrue(((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).allSatisfy { !$0.hasSuffix(".tmp") })
        XCTAssertEqual(store.state.councilCount, 6)
        faults.clear()
        store.close()
        XCTAssertEqual(files(in: directory, prefix: "snapshot-").count, 1)
        let reopened = try Store.open(path: directory, options: quietOptions())
        XCTAssertEqual(reopened.state.councilCount, 6)
        reopened.close()
    }
}
