import Foundation
import TestFixtures
import XCTest
@testable import CarewatchCore

/// The comparison and the figures carewatch computes, over the embedded data (DfE's files as
/// published), checked against figures worked out by hand and against DfE's own published
/// national and regional figures in the same files.
final class ComparisonTests: XCTestCase {
    static let seeded: StoreState = {
        var state = StoreState()
        _ = try! state.apply(SeedData.defaultDocument().changes, sequence: 1, at: Timestamp(secondsSince1970: 0))
        return state
    }()

    var state: StoreState { Self.seeded }

    func measure(_ id: String) throws -> Measure { try XCTUnwrap(MeasureCatalog.measure(id), id) }

    func compare(_ council: String, _ measures: [String], model: String? = "2025", scope: Comparison.Scope = .init(),
                 from: Int? = nil, to: Int? = nil) throws -> Comparison {
        let council = try XCTUnwrap(state.council(named: council), council)
        return Comparison.compute(state, council: council, measures: try measures.map(measure), scope: scope, model: model, from: from, to: to)
    }

    /// The worked example: Sandwell 2025 agency rate 9.9 %; its 2025 neighbours'
    /// median 15.45 and mean 15.75; England 13.0, DfE's national row.
    func testSandwellAgencyRate2025WorkedExample() throws {
        let comparison = try compare("sandwell", ["agency_rate"], from: 2025, to: 2025)
        XCTAssertEqual(comparison.group?.members.map(\.name), ["Wolverhampton", "Kingston upon Hull, City of", "Stoke-on-Trent", "Walsall",
                                                               "Rochdale", "Bradford", "Middlesbrough", "Coventry", "Oldham", "Luton"])
        let year = try XCTUnwrap(comparison.measures.first?.years.first)
        XCTAssertEqual(year.year, 2025)
        XCTAssertEqual(year.council.value, 9.9)
        XCTAssertNil(year.council.status)
        XCTAssertEqual(try XCTUnwrap(year.neighbours?.median), 15.45, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(year.neighbours?.mean), 15.75, accuracy: 1e-9)
        XCTAssertEqual(year.neighbours?.min, 6.1, "Coventry")
        XCTAssertEqual(year.neighbours?.max, 28.9, "Luton")
        XCTAssertEqual(year.neighbours?.withValue, 10)
        XCTAssertEqual(year.neighbours?.of, 10)
        XCTAssertEqual(year.england?.value, 13.0)
        XCTAssertEqual(year.england?.basis, .published)
        XCTAssertEqual(year.region?.value, 10.4)
        XCTAssertEqual(year.region?.basis, .published)
        // 2024: 15.2, so 5.3 points lower, which is better for an agency rate.
        XCTAssertEqual(year.change, -5.3)
        XCTAssertEqual(Comparison.trend(year.change, try measure("agency_rate")), "better")
    }

    /// Rank 1 = best by direction among councils with a value, ties sharing the best rank;
    /// quartiles by rank position. Recomputed here from the rows themselves.
    func testRankAndQuartileAgainstAllCouncils() throws {
        let agency = try measure("agency_rate")
        let comparison = try compare("sandwell", ["agency_rate"], scope: .init(neighbours: false, region: false, england: false), from: 2025, to: 2025)
        let year = try XCTUnwrap(comparison.measures.first?.years.first)
        var values: [Double] = []
        var withheld = 0
        for code in state.councilCodes {
            let reading = state.reading(agency, council: code, year: 2025)
            if let value = reading.value { values.append(value) } else if reading.status != nil { withheld += 1 }
        }
        XCTAssertEqual(year.ranked, values.count)
        XCTAssertEqual(year.suppressedCouncils, withheld)
        XCTAssertEqual(withheld, 3, "Kensington and Chelsea and Westminster (x), Sunderland (low)")
        XCTAssertEqual(year.rank, values.filter { $0 < 9.9 }.count + 1)
        // Ties: every council with Wolverhampton's 9.9 shares Sandwell's rank.
        let wolverhampton = try compare("wolverhampton", ["agency_rate"], scope: .init(neighbours: false, region: false, england: false), from: 2025, to: 2025)
        XCTAssertEqual(wolverhampton.measures[0].years[0].rank, year.rank)
        XCTAssertEqual(Comparison.quartile(rank: 1, of: 100), "A")
        XCTAssertEqual(Comparison.quartile(rank: 25, of: 100), "A")
        XCTAssertEqual(Comparison.quartile(rank: 26, of: 100), "B")
        XCTAssertEqual(Comparison.quartile(rank: 76, of: 100), "D")
        XCTAssertEqual(Comparison.quartile(rank: 1, of: 1), "A")
        // For a measure with no better or worse direction, 1 is the highest.
        let cin = try measure("cin_count")
        let largest = try XCTUnwrap(state.councilCodes.max { (state.reading(cin, council: $0, year: 2025).value ?? 0) < (state.reading(cin, council: $1, year: 2025).value ?? 0) })
        let count = try compare(largest, ["cin_count"], scope: .init(neighbours: false, region: false, england: false), from: 2025, to: 2025)
        XCTAssertEqual(count.measures[0].years[0].rank, 1)
    }

    /// Joint returns: Kingston upon Thames takes the one figure DfE publishes for it and
    /// Richmond upon Thames, flagged; pooled sums count that return once.
    func testJointReturnsAreFlaggedAndCountedOnce() throws {
        let kingston = try compare("kingston-upon-thames", ["agency_rate", "agency_fte"], from: 2025, to: 2025)
        let agency = kingston.measures[0].years[0]
        XCTAssertEqual(agency.council.jointReturn, "E09000021 / E09000027")
        let joint = try XCTUnwrap(state.figures(dataset: "workforce", area: "E09000021 / E09000027", year: 2025))
        XCTAssertEqual(agency.council.value, joint.values["agency_rate"])
        XCTAssertNotNil(agency.rank)
        // Some council counts Kingston or Richmond among its 2025 neighbours: flagged there.
        let flagged = state.councilsAll().filter { council in
            let group = Comparison.neighbourGroup(state, council: council, model: "2025")
            return !Comparison.neighbourSummary(state, group: group, measure: try! measure("agency_rate"), year: 2025).jointReturns.isEmpty
        }
        XCTAssertFalse(flagged.isEmpty)
        // London's agency FTE pooled from its councils counts the joint return once.
        let agencyFTE = try measure("agency_fte")
        let london = state.councilsByRegion[.london] ?? []
        let pooled = try XCTUnwrap(state.pool(agencyFTE, councils: london, year: 2025))
        var expected = 0.0
        for code in london where code != "E09000021" && code != "E09000027" {
            expected += state.workforce(council: code, year: 2025)?.agencyFTE ?? 0
        }
        expected += joint.values["agency_fte"] ?? 0
        XCTAssertEqual(try XCTUnwrap(pooled.value), agencyFTE.rounded(expected), accuracy: 1e-9)
        XCTAssertEqual(pooled.returns + pooled.missing, london.count - 1, "33 councils, 32 returns")
    }

    /// DfE's withheld figures are a status with no value, and counted.
    func testSuppressedFiguresAreAStatusAndCounted() throws {
        let sunderland = try compare("sunderland", ["agency_rate", "turnover_rate"], from: 2025, to: 2025)
        XCTAssertEqual(sunderland.measures[0].years[0].council, Reading(value: nil, status: "low"))
        XCTAssertNil(sunderland.measures[0].years[0].rank)
        XCTAssertNil(sunderland.measures[0].years[0].change)
        XCTAssertEqual(sunderland.measures[0].suppressedValues, 1 + (sunderland.measures[0].years[0].neighbours?.suppressed ?? 0))
        XCTAssertEqual(sunderland.measures[1].years[0].council.value, 11.8)
        // A council whose neighbour's figure is withheld says which and why.
        let westminsterNeighbours = state.councilsAll().first { council in
            Comparison.neighbourGroup(state, council: council, model: "2025").members.contains { $0.council?.code == "E09000033" }
        }
        let council = try XCTUnwrap(westminsterNeighbours)
        let comparison = try compare(council.code, ["agency_rate"], from: 2025, to: 2025)
        let missing = try XCTUnwrap(comparison.measures[0].years[0].neighbours?.missing.first { $0.code == "E09000033" })
        XCTAssertEqual(missing.status, "x")
        XCTAssertEqual(missing.reason, "withheld by DfE ('x': not available)")
    }

    /// The 2021 model names authorities since abolished: they stay in the group, with their
    /// successors; a council the model predates gets its predecessor's list, said so.
    func testAbolishedNeighboursAndPredecessorLists() throws {
        let lincolnshire = try compare("lincolnshire", ["agency_rate"], model: "2021", from: 2025, to: 2025)
        let cumbria = try XCTUnwrap(lincolnshire.group?.members.first { $0.laCode == 909 })
        XCTAssertNil(cumbria.council)
        XCTAssertEqual(cumbria.former?.successors, ["E06000063", "E06000064"])
        let missing = try XCTUnwrap(lincolnshire.measures[0].years[0].neighbours?.missing.first { $0.laCode == 909 })
        XCTAssertEqual(missing.reason, "no longer exists: abolished 1 April 2023; succeeded by Cumberland and Westmorland and Furness")
        XCTAssertEqual(lincolnshire.measures[0].years[0].neighbours?.of, 10)
        XCTAssertEqual(lincolnshire.measures[0].years[0].neighbours?.withValue, 9)

        let cumberland = try compare("cumberland", ["agency_rate"], model: "2021", from: 2025, to: 2025)
        XCTAssertEqual(cumberland.group?.listOf?.laCode, 909)
        XCTAssertEqual(cumberland.group?.members.count, 10)
        XCTAssertNil(try compare("cumberland", ["agency_rate"], model: "2025").group?.listOf)
    }

    /// CIN, referral and CPP rates are computed DfE's way: count ÷ ONS population of mid-year
    /// Y−1 × 10,000. England's 2025 children-in-need rate is DfE's published 330.3
    /// (data/PROVENANCE.md); a council's is computed from its own count and population.
    func testComputedRatesUseThePreviousMidYearPopulation() throws {
        let england = try compare("sandwell", ["cin_rate", "cpp_rate", "referral_rate"], from: 2025, to: 2025)
        let cin = try XCTUnwrap(england.measures[0].years.first?.england)
        XCTAssertEqual(cin.value, 330.3)
        XCTAssertEqual(cin.basis, .computed)
        let sandwell = try XCTUnwrap(state.council(named: "sandwell"))
        let count = try XCTUnwrap(state.figures(dataset: "children_in_need", area: sandwell.code, year: 2025)?.values["cin_count"])
        let population = try XCTUnwrap(state.figures(dataset: "population", area: sandwell.code, year: 2024)?.values["population_0_17"])
        XCTAssertEqual(england.measures[0].years.first?.council.value, ((count / population * 10_000) * 10).rounded() / 10)
        XCTAssertEqual(try measure("cin_rate").inputs, ["cin_count", "population_0_17"])
    }

    /// The method carewatch uses for rates per 10,000 reproduces every rate DfE publishes in
    /// the children-looked-after file (England, each region, each council): DfE's count ÷ the
    /// ONS estimate for mid-year Y−1 × 10,000, within DfE's rounding to a whole number plus the
    /// rounding of its counts to the nearest 10.
    func testRatePerTenThousandReproducesDfEsPublishedRates() throws {
        let rate = try measure("cla_rate")
        var checked: [GeographicLevel: Int] = [:]
        for year in state.figureYears(dataset: "children_looked_after") {
            for (area, row) in state.figureRows(dataset: "children_looked_after", year: year) {
                guard let published = row.values["cla_rate"], let count = row.values["cla_count"],
                      let population = state.figures(dataset: "population", area: area, year: year - 1)?.values["population_0_17"] else { continue }
                let computed = count / population * 10_000
                XCTAssertEqual(computed, published, accuracy: 0.5 + 5 / population * 10_000 + 1e-9, "\(area) \(year)")
                checked[row.level, default: 0] += 1
            }
        }
        XCTAssertEqual(checked[.national], 5)
        XCTAssertEqual(checked[.regional], 55)
        XCTAssertGreaterThan(checked[.localAuthority] ?? 0, 740)
        // Pooled the same way from the councils that publish both figures, England's 2025 rate
        // is DfE's 67 (two councils' counts are withheld, 'c').
        let pooled = try XCTUnwrap(state.pool(rate, councils: state.councilCodes, year: 2025))
        XCTAssertEqual(pooled.missing, 2)
        XCTAssertEqual(pooled.value, 67)
    }

    /// Pooling from councils, which the comparison uses only where DfE publishes no figure for
    /// a region or England, reproduces DfE's own national and regional figures wherever every
    /// council in the area has the inputs: rates within 0.1 points (DfE rounds each council's
    /// FTEs and the area's rate to one decimal place), counts within 5 (DfE rounds area totals
    /// to the nearest 10). Where councils' figures are withheld DfE's totals still count them,
    /// so pooled and published differ: that is why DfE's figure is preferred.
    func testPoolingReproducesDfEsNationalAndRegionalFigures() throws {
        let checks: [(measure: String, tolerance: Double)] = [
            ("agency_rate", 0.1), ("vacancy_rate", 0.1), ("turnover_rate", 0.1), ("employed_fte", 0.05 * 160), ("agency_fte", 0.05 * 160),
            ("cin_count", 5), ("referrals", 5), ("rereferrals", 5), ("cpp_starts", 5), ("cpp_count", 5), ("cla_count", 5), ("population_0_17", 0),
            ("rereferral_rate", 0.1), ("cpp_subsequent_rate", 0.1),
        ]
        var checked = 0
        var differing: [String] = []
        for (id, tolerance) in checks {
            let measure = try measure(id)
            for year in state.years(of: measure) {
                var areas: [(code: String, councils: [String])] = [(AreaCode.england, state.councilCodes)]
                areas += Region.allCases.map { (AreaCode.code(of: $0), state.councilsByRegion[$0] ?? []) }
                for (code, councils) in areas {
                    guard let published = state.reading(measure, area: code, year: year).value,
                          let pooled = state.pool(measure, councils: councils, year: year), let value = pooled.value else { continue }
                    if pooled.missing == 0 {
                        XCTAssertEqual(value, published, accuracy: tolerance + 1e-9, "\(id) \(code) \(year)")
                        checked += 1
                    } else if abs(value - published) > tolerance {
                        differing.append("\(id) \(code) \(year)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(checked, 900)
        // E.g. England's 2025 agency rate: DfE 13.0 counts the withheld councils; pooled, 13.2.
        XCTAssertTrue(differing.contains("agency_rate \(AreaCode.england) 2025"), "\(differing)")
    }

    /// A region without DfE's own figure is pooled from its councils, and says so.
    func testAreaWithoutDfEFigureIsPooled() throws {
        var state = Self.seeded
        let key = FigureKey(dataset: "workforce", area: AreaCode.code(of: .westMidlands), year: 2025)
        _ = try state.apply([.deleteFigures(key)], sequence: 2, at: Timestamp(secondsSince1970: 0))
        let sandwell = try XCTUnwrap(state.council(named: "sandwell"))
        let comparison = Comparison.compute(state, council: sandwell, measures: [try measure("agency_rate")], scope: .init(), model: "2025", from: 2025, to: 2025)
        let region = try XCTUnwrap(comparison.measures[0].years[0].region)
        XCTAssertEqual(region.basis, .pooled)
        XCTAssertEqual(region.returns, 14)
        XCTAssertEqual(region.missing, 0)
        XCTAssertEqual(region.value, 10.5, "Σ agency ÷ Σ (agency + employed) over the 14 councils: 10.45 to one place")
        // Caseloads cannot be pooled from what councils publish: no figure rather than a wrong one.
        let caseload = Comparison.compute(state, council: sandwell, measures: [try measure("caseload")], scope: .init(), model: "2025", from: 2025, to: 2025)
        XCTAssertNil(caseload.measures[0].years[0].region?.value)
        XCTAssertNil(caseload.measures[0].years[0].region?.basis)
    }

    func testYearsHeldAndRange() throws {
        XCTAssertEqual(state.years(of: try measure("agency_rate")), Array(2017...2025))
        XCTAssertEqual(state.years(of: try measure("cin_rate")), Array(2013...2025))
        XCTAssertEqual(state.years(of: try measure("cla_3plus_sw_rate")), [2024])
        XCTAssertEqual(state.years(of: try measure("asye_share")), [])
        let comparison = try compare("sandwell", ["agency_rate", "cla_rate"], from: 2020, to: 2022)
        XCTAssertEqual(comparison.measures[0].years.map(\.year), [2020, 2021, 2022])
        XCTAssertEqual(comparison.measures[1].years.map(\.year), [2021, 2022])
    }

    func testCSVHasOneRowPerMeasureAndYear() throws {
        let comparison = try compare("sandwell", ["agency_rate", "vacancy_rate"], from: 2024, to: 2025)
        let lines = String(decoding: comparison.csv(lineEnding: .lf), as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 5)
        XCTAssertEqual(lines[0], Substring(Comparison.csvColumns.joined(separator: ",")))
        XCTAssertTrue(lines[2].hasPrefix("E08000028,agency_rate,2025,9.9,,,-5.3,better,"), String(lines[2]))
        XCTAssertTrue(lines[2].contains(",2025,15.45,15.75,6.1,28.9,10,10,0,,,West Midlands,10.4,,published,13,,published,percent"), String(lines[2]))
    }
}
