import Foundation
import XCTest
@testable import CarewatchCore

final class CoreSeedingTests: XCTestCase {
    func testEmptyDirectoryIsSeededAsPublished() throws {
        let directory = makeTemporaryDirectory(self) + "/data"
        let store = try Store.open(path: directory, options: quietOptions(seed: true))
        let state = store.state
        XCTAssertEqual(state.councilCount, 153)
        XCTAssertEqual(state.inspectionCount, 778)
        XCTAssertEqual(state.workforceCount, 1325)
        // Councils, inspections, then the twelve official files, each its own write.
        XCTAssertEqual(state.generation, 14)
        XCTAssertEqual(state.releases().count, 12)
        let inspections = state.inspectionsAll()
        XCTAssertEqual(inspections.filter { $0.started == nil }.count, 325)     // SIF and SLAC: no start dates
        XCTAssertEqual(inspections.filter { $0.published == nil }.count, 125)   // 2022-24 visits
        XCTAssertTrue(inspections.filter(\.framework.isVisit).allSatisfy { $0.overall == nil })
        XCTAssertTrue(inspections.allSatisfy { $0.id.hasPrefix("insp-") })
        // Suppressed figures stay null: Kensington and Chelsea 2025 has none, and no rate is derived for it.
        let kensington = state.council(named: "kensington-and-chelsea")!
        let row = state.workforce(council: kensington.code, year: 2025)!
        XCTAssertNil(row.employedFTE)
        XCTAssertNil(row.agencyRate)
        XCTAssertTrue(state.workforceAll().allSatisfy { $0.asyeShare == nil })
        // Former codes resolve.
        XCTAssertEqual(state.council(named: "E08000016")?.code, "E08000038")
        XCTAssertNotNil(state.latestInspection(ofCouncil: "E08000028"))
        XCTAssertEqual(files(in: directory, prefix: "snapshot-").count, 1)
        store.close()

        // Reopening does not seed again, and the seed's ids are stable.
        let reopened = try Store.open(path: directory, options: quietOptions(seed: true))
        defer { reopened.close() }
        XCTAssertEqual(reopened.state.generation, 14)
        XCTAssertEqual(reopened.state.history.latest, state.history.latest)
        XCTAssertEqual(reopened.state.releases(), state.releases())
        XCTAssertEqual(reopened.state.inspectionsAll().map(\.id), inspections.map(\.id))
        XCTAssertEqual(reopened.state.councilsAll(), state.councilsAll())
        XCTAssertTrue(Store.verify(path: directory).ok)
    }
}
