import Foundation
import XCTest
@testable import CarewatchCore

final class CoreStoreQueryTests: XCTestCase {
    /// A state with five councils over three regions and a few inspections and rows.
    func makeState() throws -> StoreState {
        var state = StoreState()
        let councils = [
            sampleCouncil("E08000028", la: 333, name: "Sandwell"),
            sampleCouncil("E08000025", la: 330, name: "Birmingham"),
            sampleCouncil("E09000002", la: 301, name: "Barking and Dagenham", region: .london, kind: .londonBorough),
            sampleCouncil("E10000003", la: 873, name: "Cambridgeshire", region: .eastOfEngland, kind: .county),
            sampleCouncil("E08000038", la: 370, name: "Barnsley", region: .yorkshireAndTheHumber, former: ["E08000016"]),
        ]
        _ = try state.apply(councils.map(Change.putCouncil), sequence: 1, at: Timestamp(secondsSince1970: 100))
        _ = try state.apply([
            .putInspection(sampleInspection("a", council: "E08000028", published: "2018-04-17", started: "2018-02-05", overall: .inadequate)),
            .putInspection(sampleInspection("b", council: "sandwell", published: "2022-06-01", started: "2022-04-01", overall: .requiresImprovement)),
            .putInspection(sampleInspection("c", council: "E08000028", framework: .focusedVisit, published: "2023-01-10", started: "2022-12-01", overall: nil)),
            .putInspection(sampleInspection("d", council: "E08000016", published: "2019-03-01", started: "2019-01-10", overall: .good)),
            .putInspection(sampleInspection("e", council: "330", framework: .monitoringVisit, published: nil, started: "2024-01-10", overall: nil)),
            .putInspection(sampleInspection("f", council: "E09000002", framework: .sif, published: "2016-01-01", started: nil, overall: .good)),
        ], sequence: 2, at: Timestamp(secondsSince1970: 200))
        var rows: [Change] = []
        for (index, code) in ["E08000028", "E08000025", "E09000002", "E10000003", "E08000038"].enumerated() {
            for year in 2017...2020 {
                rows.append(.putWorkforce(WorkforceYear(council: code, year: year, employedFTE: Double(100 + index * 10 + year - 2017),
                                                        agencyRate: index == 2 ? nil : Double(index * 5 + year - 2017))))
            }
        }
        _ = try state.apply(rows, sequence: 3, at: Timestamp(secondsSince1970: 300))
        return state
    }

    func testLookupsAndDerivedLatest() throws {
        let state = try makeState()
        XCTAssertEqual(state.generation, 3)
        for key in ["E08000038", "E08000016", "370", "barnsley"] { XCTAssertEqual(state.council(named: key)?.code, "E08000038", key) }
        XCTAssertNil(state.council(named: "nowhere"))
        XCTAssertEqual(state.inspection(id: "d")?.council, "E08000038")      // former code resolved
        XCTAssertEqual(state.inspections(ofCouncil: "E08000028").map(\.id), ["c", "b", "a"])
        XCTAssertEqual(state.latestInspection(ofCouncil: "E08000028")?.id, "b")   // visit "c" is newer but ungraded
        XCTAssertEqual(state.workforce(ofCouncil: "E08000025").map(\.year), [2017, 2018, 2019, 2020])
        XCTAssertEqual(state.workforce(council: "E10000003", year: 2019)?.employedFTE, 132)
        XCTAssertEqual(state.council(named: "E08000028")?.version, 1)
        XCTAssertEqual(state.inspection(id: "a")?.version, 2)
        XCTAssertEqual(state.council(named: "E08000028")?.updatedAt.secondsSince1970, 100)
    }

    func testStoreRulesAcrossRecords() throws {
        var state = try makeState()
        XCTAssertThrowsError(try state.apply([.putCouncil(sampleCouncil("E08000099", la: 999, slug: "sandwell", name: "Other"))], sequence: 4, at: .now())) {
            XCTAssertEqual(($0 as! ValidationError).errors.map(\.field), ["slug"])
        }
        XCTAssertThrowsError(try state.apply([.putCouncil(sampleCouncil("E08000099", la: 333, name: "Other"))], sequence: 4, at: .now())) {
            XCTAssertEqual(($0 as! ValidationError).errors.map(\.field), ["la_code"])
        }
        XCTAssertThrowsError(try state.apply([.putCouncil(sampleCouncil("E08000016", la: 999, name: "Other"))], sequence: 4, at: .now())) {
            XCTAssertEqual(($0 as! ValidationError).errors.map(\.field), ["code"])
        }
        XCTAssertThrowsError(try state.apply([.putInspection(sampleInspection(council: "E06000001"))], sequence: 4, at: .now())) {
            XCTAssertEqual(($0 as! ValidationError).errors.map(\.field), ["council"])
        }
        // Cascade.
        _ = try state.apply([.deleteCouncil(code: "sandwell")], sequence: 4, at: .now())
        XCTAssertNil(state.council(named: "E08000028"))
        XCTAssertNil(state.inspection(id: "a"))
        XCTAssertEqual(state.workforce(ofCouncil: "E08000028"), [])
        XCTAssertEqual(state.workforceCount, 16)
        XCTAssertEqual(try state.councils(CouncilQuery(rating: .requiresImprovement)).total, 0)
        XCTAssertEqual(try state.inspections(InspectionQuery()).total, 3)
        // Generated ids are deterministic and distinct.
        let resolved = try state.apply([.putInspection(sampleInspection(council: "E08000025")), .putInspection(sampleInspection(council: "E08000025"))], sequence: 5, at: .now())
        let ids = resolved.compactMap { change -> String? in if case .putInspection(let i) = change { return i.id } else { return nil } }
        XCTAssertEqual(Set(ids).count, 2)
        XCTAssertTrue(ids.allSatisfy { $0.hasPrefix("insp-") && $0.count == 13 })
    }

    func testFiltersAndSorting() throws {
        let state = try makeState()
        XCTAssertEqual(try state.councils(CouncilQuery()).items.map(\.code), ["E08000025", "E08000028", "E08000038", "E09000002", "E10000003"])
        XCTAssertEqual(try state.councils(CouncilQuery(region: .westMidlands)).items.map(\.code), ["E08000025", "E08000028"])
        XCTAssertEqual(try state.councils(CouncilQuery(kind: .county)).items.map(\.code), ["E10000003"])
        XCTAssertEqual(try state.councils(CouncilQuery(rating: .good)).items.map(\.code), ["E08000038", "E09000002"])
        XCTAssertEqual(try state.councils(CouncilQuery(region: .london, rating: .good)).items.map(\.code), ["E09000002"])
        XCTAssertEqual(try state.councils(CouncilQuery(q: "BAR")).items.map(\.name), ["Barnsley", "Barking and Dagenham"])
        XCTAssertEqual(try state.councils(CouncilQuery(sort: SortKey(parameter: "-name"))).items.first?.name, "Sandwell")
        XCTAssertEqual(try state.councils(CouncilQuery(sort: SortKey(parameter: "la_code"))).items.first?.laCode, 301)
        XCTAssertThrowsError(try state.councils(CouncilQuery(sort: SortKey(parameter: "colour")))) { XCTAssertEqual(($0 as! QueryError).parameter, "sort") }
        XCTAssertThrowsError(try state.councils(CouncilQuery(limit: 0))) { XCTAssertEqual(($0 as! QueryError).parameter, "limit") }
        XCTAssertThrowsError(try state.councils(CouncilQuery(limit: 501)))

        XCTAssertEqual(try state.inspections(InspectionQuery()).items.map(\.id), ["c", "b", "d", "a", "f", "e"])   // newest first, undated last
        XCTAssertEqual(try state.inspections(InspectionQuery(council: "sandwell")).items.map(\.id), ["c", "b", "a"])
        XCTAssertEqual(try state.inspections(InspectionQuery(framework: .ilacs)).items.map(\.id), ["b", "d", "a"])
        XCTAssertEqual(try state.inspections(InspectionQuery(overall: .good)).items.map(\.id), ["d", "f"])
        XCTAssertEqual(try state.inspections(InspectionQuery(publishedFrom: CalendarDate(iso: "2018-04-17"), publishedTo: CalendarDate(iso: "2022-06-01"))).items.map(\.id), ["b", "d", "a"])
        XCTAssertEqual(try state.inspections(InspectionQuery(framework: .ilacs, publishedFrom: CalendarDate(iso: "2019-01-01"))).items.map(\.id), ["b", "d"])
        XCTAssertEqual(try state.inspections(InspectionQuery(sort: SortKey(parameter: "published"))).items.map(\.id), ["f", "a", "d", "b", "c", "e"])
        XCTAssertEqual(try state.inspections(InspectionQuery(council: "nowhere")).total, 0)

        XCTAssertEqual(try state.workforce(WorkforceQuery()).total, 20)
        XCTAssertEqual(try state.workforce(WorkforceQuery(year: 2018)).items.map(\.council), ["E08000025", "E08000028", "E08000038", "E09000002", "E10000003"])
        XCTAssertEqual(try state.workforce(WorkforceQuery(region: .westMidlands)).total, 8)
        XCTAssertEqual(try state.workforce(WorkforceQuery(year: 2019, region: .london)).items.map(\.council), ["E09000002"])
        let byRate = try state.workforce(WorkforceQuery(year: 2017, sort: SortKey(parameter: "-agency_rate"))).items
        XCTAssertEqual(byRate.map(\.agencyRate), [20, 15, 5, 0, nil])
    }

    func testCursorsStayCorrectWhileWritesHappen() throws {
        var state = StoreState()
        let codes = (0..<30).map { String(format: "E06%06d", $0 * 2 + 10) }
        _ = try state.apply(codes.enumerated().map { index, code in
            .putCouncil(sampleCouncil(code, la: 500 + index, name: "Council \(code)", region: .southWest, kind: .unitary))
        }, sequence: 1, at: .now())
        var seen: [String] = []
        var cursor: String? = nil
        var sequence: UInt64 = 2
        var page = 0
        repeat {
            let result = try state.councils(CouncilQuery(limit: 7, cursor: cursor))
            seen += result.items.map(\.code)
            XCTAssertEqual(result.total, state.councilCount)
            cursor = result.nextCursor
            // Between pages: delete something already seen, insert before and after the boundary.
            if page == 0 {
                _ = try state.apply([.deleteCouncil(code: seen[0]),
                                     .putCouncil(sampleCouncil("E06000001", la: 900, name: "Before", region: .southWest, kind: .unitary)),
                                     .putCouncil(sampleCouncil("E06000031", la: 901, name: "After", region: .southWest, kind: .unitary))],
                                    sequence: sequence, at: .now())
                sequence += 1
            }
            page += 1
        } while cursor != nil
        // Every original council still present is seen exactly once, plus the one inserted ahead.
        XCTAssertEqual(seen.count, Set(seen).count)
        XCTAssertEqual(Set(seen), Set(codes + ["E06000031"]))
        XCTAssertEqual(seen, seen.sorted())
        // A cursor is tied to its sort order and must be ours.
        let first = try state.councils(CouncilQuery(limit: 2))
        XCTAssertThrowsError(try state.councils(CouncilQuery(sort: SortKey(parameter: "-code"), limit: 2, cursor: first.nextCursor))) {
            XCTAssertEqual(($0 as! QueryError).parameter, "cursor")
        }
        XCTAssertThrowsError(try state.councils(CouncilQuery(cursor: "not a cursor!")))
        XCTAssertThrowsError(try state.councils(CouncilQuery(cursor: "AAAA")))
    }

    func testDescendingCursorsWithNulls() throws {
        let state = try makeState()
        var ids: [String] = []
        var cursor: String? = nil
        repeat {
            let page = try state.inspections(InspectionQuery(limit: 2, cursor: cursor))
            ids += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        XCTAssertEqual(ids, ["c", "b", "d", "a", "f", "e"])
        var rates: [String] = []
        cursor = nil
        repeat {
            let page = try state.workforce(WorkforceQuery(sort: SortKey(parameter: "-agency_rate"), limit: 3, cursor: cursor))
            rates += page.items.map { $0.council + String($0.year) }
            cursor = page.nextCursor
        } while cursor != nil
        XCTAssertEqual(rates.count, 20)
        XCTAssertEqual(Set(rates).count, 20)
    }
}
