import Foundation
import TestFixtures
import XCTest
@testable import CarewatchCore

/// The conveniences the API calls, over a state holding the seed.
final class FormatsStoreStateTests: XCTestCase {
    private func seededState() -> StoreState {
        let seed = SeedData.defaultDocument()
        return try! StoreState(generation: 1, committedAt: Timestamp(secondsSince1970: 0), councils: seed.councils,
                          inspections: seed.inspections, workforce: seed.workforce)
    }

    func testExportOfStateImportsBackAgainstTheSameState() throws {
        let state = seededState()
        let next = Exporter.documentChunks(state, chunkSize: 16 * 1024)
        var bytes: [UInt8] = []
        var chunks = 0
        while let chunk = next() { bytes += chunk; chunks += 1 }
        XCTAssertGreaterThan(chunks, 10)
        XCTAssertEqual(bytes, Exporter.document(state))
        let back = try Importer.parse(bytes, as: .json, existing: state)
        XCTAssertEqual(back.councils.count, 153)
        XCTAssertEqual(back.inspections.count, 778)
        XCTAssertEqual(back.workforce.count, 1325)
        XCTAssertEqual(Set(back.inspections.map(\.id)), Set(state.inspectionsAll().map(\.id)))
    }

    func testOfficialFilesOverTheStateAreIdempotent() throws {
        let state = seededState()
        let ofsted = try Importer.parse(RepositoryData.bytes(RepositoryData.ofsted("2025_In-year_inspections.csv")), as: .csv, existing: state)
        XCTAssertEqual(ofsted.inspections.count, 0)
        XCTAssertEqual(ofsted.skipped.count, 112)
        let dfe = try Importer.parse(RepositoryData.bytes(RepositoryData.dfe), as: .csv, existing: state)
        for row in dfe.workforce { XCTAssertEqual(state.workforce(council: row.council, year: row.year), row) }
    }

    func testStatisticsOverTheState() {
        let state = seededState()
        let ratings = RatingStatistics.compute(state, asOf: CalendarDate(iso: "2025-03-31")!, basis: .ofsted)
        XCTAssertEqual(ratings.national.counts["good"], 67)
        XCTAssertEqual(RatingStatistics.compute(state, asOf: WallClock.system.today, basis: .published).national.councils, 153)
        let workforce = WorkforceStatistics.compute(state, year: 2024, byRating: true, gradeAt: .latest)
        XCTAssertEqual(workforce.years.map(\.year), [2024])
        XCTAssertEqual(workforce.year(2024)?.byRating?.reduce(0) { $0 + $1.group.rows }, workforce.year(2024)?.national.rows)
    }
}
