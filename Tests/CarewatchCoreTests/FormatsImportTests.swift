import Foundation
import TestFixtures
import XCTest
@testable import CarewatchCore

final class FormatsImportTests: XCTestCase {
    private var seed: ImportDocument { SeedData.defaultDocument() }
    private var councilsOnly: ImportContext { ImportContext(councils: seed.councils) }
    private var seedContext: ImportContext { ImportContext(councils: seed.councils, inspections: seed.inspections) }

    private func importFile(_ path: String, _ context: ImportContext, as syntax: ImportSyntax? = .csv) throws -> ImportDocument {
        try Importer.parse(try RepositoryData.bytes(path), as: syntax, existing: context)
    }

    private func sorted(_ rows: [WorkforceYear]) -> [WorkforceYear] {
        rows.sorted { ($0.council, $0.year) < ($1.council, $1.year) }
    }

    // MARK: DfE

    func testDfEFileReproducesTheSeedWorkforceRows() throws {
        let document = try importFile(RepositoryData.dfe, councilsOnly)
        XCTAssertEqual(document.format, .dfeWorkforceCSV)
        XCTAssertEqual(document.workforce.count, 1325)
        XCTAssertEqual(sorted(document.workforce), sorted(seed.workforce))
        // PROVENANCE: the 16 rows of abolished authorities are left out, each with its successors.
        XCTAssertEqual(document.skipped.count, 16)
        XCTAssertEqual(document.skipped.filter { $0.reason.contains("abolished") && $0.reason.contains("succeeded by") }.count, 16)
        XCTAssertTrue(document.skipped.contains { $0.reason == "Cumbria (E10000006) 2017: abolished 1 April 2023; succeeded by Cumberland and Westmorland and Furness" },
                      "\(document.skipped)")
        // DfE's own England (9) and regional (99) rows, and the 14 joint returns, are published figures.
        let figures = document.figures
        XCTAssertEqual(figures.filter { $0.level == .national }.count, 9)
        XCTAssertEqual(figures.filter { $0.level == .regional }.count, 99)
        XCTAssertEqual(figures.filter(\.isJointReturn).map(\.area).sorted(),
                       Array(repeating: "E06000061 / E06000062", count: 5) + Array(repeating: "E09000021 / E09000027", count: 9))
        XCTAssertTrue(figures.allSatisfy { $0.dataset == "workforce" && $0.source == "csww_indicators_2017_to_2025.csv" })
        let england2025 = try XCTUnwrap(figures.first { $0.area == AreaCode.england && $0.year == 2025 })
        XCTAssertEqual(england2025.values["agency_rate"], 13)
        XCTAssertEqual(england2025.values["employed_fte"], 36186.3)
        // Every one of DfE's 73 symbols in council rows is kept, none turned into a number.
        var symbols: [String: Int] = [:]
        for row in document.workforce { for symbol in row.suppressed.values { symbols[symbol, default: 0] += 1 } }
        XCTAssertEqual(symbols, ["x": 36, "u": 14, "z": 10, "low": 9, "c": 4])
        let sunderland = try XCTUnwrap(document.workforce.first { $0.council == "E08000024" && $0.year == 2025 })
        XCTAssertEqual(sunderland.suppressed, ["agency_fte": "low", "agency_rate": "low"])
        XCTAssertNil(sunderland.agencyRate)
        XCTAssertEqual(sunderland.turnoverRate, 11.8)
    }

    func testDfESuppressionSymbolsAreKeptAndOldCodesMap() throws {
        let header = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,inpost_fte,inpost_headcount,starters_fte,starters_headcount,leavers_fte,leavers_headcount,turnover_rate_fte,turnover_rate_headcount,agency_fte,agency_headcount,agency_rate_fte,agency_rate_headcount,agency_cover_fte,agency_cover_rate_fte,vacancy_fte,vacancy_rate_fte,vacancy_agency_cover_rate_fte,case_holders_fte,cases,caseload_fte,working_days_lost_fte,absence_rate_fte"
        func line(_ level: String, _ la: String, _ code: String, _ name: String, _ inpost: String, _ agency: String) -> String {
            "2019,Reporting year,\(level),E92000001,England,E12000003,Yorkshire and The Humber,\(la),\(code),\(name),\(inpost),1,1,1,5,1,c,1,\(agency),1,low,1,1,1,x,z,u,1,1,:,1,2.5"
        }
        let text = [header,
                    line("National", "", "", "", "1000", "100"),
                    line("Local authority", "370", "E08000016", "Barnsley", "150.5", "c"),
                    line("Local authority", "999", "E10000099", "Gone Shire", "1", "1"),
                    line("Local authority", "314 / 318", "E09000021 / E09000027", "Kingston upon Thames / Richmond upon Thames", "1", "1")].joined(separator: "\n")
        let document = try Importer.parse(Array(text.utf8), existing: councilsOnly)
        XCTAssertEqual(document.workforce.count, 1)
        let barnsley = try XCTUnwrap(document.workforce.first)
        XCTAssertEqual(barnsley.council, "E08000038")
        XCTAssertEqual(barnsley.employedFTE, 150.5)
        XCTAssertNil(barnsley.agencyFTE)
        XCTAssertNil(barnsley.agencyRate)
        XCTAssertNil(barnsley.turnoverRate)
        XCTAssertNil(barnsley.caseload)
        XCTAssertEqual(barnsley.absenceRate, 2.5)
        XCTAssertEqual(barnsley.source, "csww_indicators_2019_to_2019.csv")
        XCTAssertEqual(barnsley.suppressed, ["agency_fte": "c", "agency_rate": "low", "turnover_rate": "c", "vacancy_fte": "x",
                                             "vacancy_rate": "z", "caseload": ":"])
        // England's row and the joint return are published figures; the unknown authority is reported.
        XCTAssertEqual(document.figures.map(\.area), [AreaCode.england, "E09000021 / E09000027"])
        XCTAssertEqual(document.figures.last?.suppressed["turnover_rate"], "c")
        XCTAssertEqual(document.skipped.map(\.row), [4])
        XCTAssertEqual(document.skipped.first?.reason, "Gone Shire (E10000099) 2019: no current council (authority no longer exists or is unknown)")
        // A cell that is neither a number nor one of DfE's symbols rejects the file, naming it.
        let typo = [header, line("Local authority", "370", "E08000016", "Barnsley", "15O.5", "1")].joined(separator: "\n")
        XCTAssertThrowsError(try Importer.parse(Array(typo.utf8), existing: councilsOnly)) { error in
            let issue = (error as? ImportError)?.issues.first
            XCTAssertEqual(issue?.row, 2)
            XCTAssertEqual(issue?.field, "inpost_fte")
            XCTAssertEqual(issue?.message.hasPrefix("15O.5 is not a number nor one of DfE's symbols"), true, "\(String(describing: issue))")
        }
    }

    // MARK: Ofsted

    func testILACSHistoryReproducesTheSeedILACSRows() throws {
        let document = try importFile(RepositoryData.ofsted("2025_ILACS_inspection_history.csv"), councilsOnly)
        XCTAssertEqual(document.format, .ofstedCSV)
        XCTAssertEqual(document.inspections.count, 268)
        // Bournemouth 2018, Cumbria 2022, Northamptonshire 2019 no longer exist.
        XCTAssertEqual(document.skipped.count, 3)
        let expected = Dictionary(uniqueKeysWithValues: seed.inspections.filter { $0.framework == .ilacs }.map { ($0.id, $0) })
        XCTAssertEqual(expected.count, 268)
        for var inspection in document.inspections {
            // The CSV export loses the web link, which lives only in the ODS cell formula.
            XCTAssertNil(inspection.reportURL)
            guard let seedRow = expected[inspection.id] else { return XCTFail("unexpected \(inspection)") }
            inspection.reportURL = seedRow.reportURL
            XCTAssertEqual(inspection, seedRow)
        }
    }

    func testHistory2009TableReproducesTheSeedSIFAndSLACRows() throws {
        let document = try importFile(RepositoryData.ofsted("2023_LA_inspections_2009-2023_table1.csv"), councilsOnly)
        let old = document.inspections.filter { $0.framework == .sif || $0.framework == .safeguardingAndLAC }
        let expected = seed.inspections.filter { $0.framework == .sif || $0.framework == .safeguardingAndLAC }
        XCTAssertEqual(old.count, 325)
        XCTAssertEqual(Set(old.map(\.id)), Set(expected.map(\.id)))
        let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.id, $0) })
        for var inspection in old {
            inspection.reportURL = byID[inspection.id]?.reportURL
            XCTAssertEqual(inspection, byID[inspection.id])
        }
        // Cumbria's records are skipped, and CPI/CPRI/TLAC are reported rather than loaded.
        XCTAssertTrue(document.skipped.contains { $0.reason.hasPrefix("Cumbria") })
        XCTAssertEqual(document.skipped.filter { $0.reason.contains("(CPI)") }.count, 48)
    }

    func testInYearSheetsReproduceTheSeedVisits() throws {
        let history = seed.inspections.filter { $0.framework == .ilacs || $0.framework == .sif || $0.framework == .safeguardingAndLAC }
        var context = ImportContext(councils: seed.councils, inspections: history)
        var visits: [Inspection] = []
        for file in ["2023_LA_level_in_year_2022-23.csv", "2024_Inspections_in_year_2023-24.csv", "2025_In-year_inspections.csv"] {
            let document = try importFile(RepositoryData.ofsted(file), context)
            XCTAssertTrue(document.inspections.allSatisfy(\.framework.isVisit), file)
            visits += document.inspections
            context.inspections += document.inspections
        }
        let expected = seed.inspections.filter(\.framework.isVisit)
        XCTAssertEqual(visits.count, 185)
        let byID = Dictionary(uniqueKeysWithValues: expected.map { ($0.id, $0) })
        for var visit in visits {
            visit.reportURL = byID[visit.id]?.reportURL
            XCTAssertEqual(visit, byID[visit.id])
        }
    }

    func testEveryOfstedSheetOverTheSeedAddsNothing() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: RepositoryData.root + "/sources/ofsted/csv").sorted()
        XCTAssertEqual(files.count, 11)
        for file in files {
            let document = try importFile(RepositoryData.ofsted(file), seedContext)
            XCTAssertEqual(document.format, .ofstedCSV, file)
            XCTAssertEqual(document.inspections.map { "\($0.council) \($0.type ?? "") \($0.started?.description ?? "") \($0.published?.description ?? "")" }, [], file)
        }
    }

    func testDfEOverTheSeedYieldsTheSameRows() throws {
        let document = try importFile(RepositoryData.dfe, seedContext, as: nil)
        XCTAssertEqual(sorted(document.workforce), sorted(seed.workforce))
    }

    /// A whole-sheet export: title rows above the header, and a second table (authorities
    /// before the restructure) straight after the first, as in the 2024 ILACS sheet.
    func testWholeSheetExportWithTitlesAndTwoTables() throws {
        let table1 = try RepositoryData.bytes(RepositoryData.ofsted("2024_ILACS_inspections_2018-2024_table1.csv"))
        let table2 = try RepositoryData.bytes(RepositoryData.ofsted("2024_ILACS_inspections_2018-2024_table2.csv"))
        let sheet = Array("ILACS inspections 2018 to 2024,,\nThis table shows...,,\n".utf8) + table1
            + Array("ILACS inspections of local authorities that existed before the restructure\n".utf8) + table2
        let whole = try Importer.parse(sheet, as: .csv, existing: councilsOnly)
        let alone = try Importer.parse(table1, as: .csv, existing: councilsOnly)
        XCTAssertGreaterThan(alone.inspections.count, 200)
        XCTAssertEqual(whole.inspections, alone.inspections)
        XCTAssertEqual(whole.skipped.count, alone.skipped.count + 3)
        XCTAssertTrue(whole.skipped.suffix(3).allSatisfy { $0.reason.contains("before the restructure") })
    }

    func testOfstedNamesAndBadCells() throws {
        let text = """
        Web link,Local authority name,Ofsted region,Inspection date,Overall effectiveness,Impact of leaders,Experiences and progress of children who need help and protection,Experiences and progress of children in care,Experiences and progress of care leavers
        Ofsted Local Authority Webpage,Durham,North East,01/02/2024,Good,Good,Good,Good,
        Ofsted Local Authority Webpage,St Helens,North West,31/02/2024,Great,Good,Good,Good,
        Ofsted Local Authority Webpage,"Kingston upon Hull",North East,Not yet inspected,,,,,
        """
        XCTAssertThrowsError(try Importer.parse(Array(text.utf8), as: .csv, existing: councilsOnly)) { error in
            let issues = (error as? ImportError)?.issues ?? []
            XCTAssertEqual(issues.map(\.row), [3, 3])
            XCTAssertEqual(Set(issues.map(\.field)), ["Inspection date", "Overall effectiveness"])
        }
        let good = text.split(separator: "\n").enumerated().filter { $0.offset != 2 }.map(\.element).joined(separator: "\n")
        let document = try Importer.parse(Array(good.utf8), as: .csv, existing: councilsOnly)
        XCTAssertEqual(document.inspections.count, 1)
        XCTAssertEqual(document.inspections.first?.council, "E06000047")
        XCTAssertEqual(document.inspections.first?.started, CalendarDate(year: 2024, month: 2, day: 1))
        XCTAssertEqual(document.inspections.first?.overall, .good)
        XCTAssertEqual(document.skipped.count, 1)
    }

    // MARK: project CSV

    func testProjectCSVErrorsListEveryBadRowAndField() {
        let text = """
        council,year,employed_fte,agency_rate,source
        E06000001,2020,100,5,x
        E99999999,2020,100,5,x
        E06000001,twenty,abc,5,x
        E06000001,2020,1,1,x
        """
        XCTAssertThrowsError(try Importer.parse(Array(text.utf8), as: .csv, existing: councilsOnly)) { error in
            let issues = (error as? ImportError)?.issues ?? []
            XCTAssertEqual(issues.map { "\($0.row ?? 0):\($0.field)" }, ["3:council", "4:year", "4:employed_fte", "5:year"])
        }
    }

    func testDomainRulesAreReportedWithTheirRow() {
        let councils = "code,la_code,name,region,kind\nE06000001,805,Hartlepool,North East,county\nE06000002,8060,Middlesbrough,North East,unitary\n"
        XCTAssertThrowsError(try Importer.parse(Array(councils.utf8), as: .csv, existing: ImportContext())) { error in
            let issues = (error as? ImportError)?.issues ?? []
            XCTAssertEqual(issues.map { "\($0.row ?? 0):\($0.field)" }, ["2:kind", "3:la_code"])
        }
        let inspections = "council,framework,started,published,leadership\nE06000001,ilacs,2020-05-04,2020-04-01,good\n"
        XCTAssertThrowsError(try Importer.parse(Array(inspections.utf8), as: .csv, existing: councilsOnly)) { error in
            XCTAssertEqual((error as? ImportError)?.issues.map(\.field), ["published"])
        }
        let workforce = "council,year,employed_fte,agency_fte,agency_rate\nE06000001,2020,90,10,140\n"
        XCTAssertThrowsError(try Importer.parse(Array(workforce.utf8), as: .csv, existing: councilsOnly)) { error in
            XCTAssertEqual((error as? ImportError)?.issues.first?.field, "agency_rate")
            XCTAssertEqual((error as? ImportError)?.issues.first?.row, 2)
        }
    }

    func testProjectCSVsOfTheSeedRoundTrip() throws {
        let councils = try Importer.parse(RepositoryData.bytes(RepositoryData.root + "/councils.csv"), existing: ImportContext())
        XCTAssertEqual(councils.format, .councilsCSV)
        XCTAssertEqual(councils.councils, seed.councils)
        let inspections = try Importer.parse(RepositoryData.bytes(RepositoryData.root + "/inspections.csv"), existing: councilsOnly)
        XCTAssertEqual(inspections.inspections, seed.inspections)
        let unknownColumn = "code,la_code,name,region,kind,colour\nE06000001,805,Hartlepool,North East,unitary,blue\n"
        XCTAssertThrowsError(try Importer.parse(Array(unknownColumn.utf8), existing: ImportContext())) { error in
            XCTAssertEqual((error as? ImportError)?.issues.first?.field, "colour")
        }
    }

    func testSyntaxDetectionAndBadCSV() {
        XCTAssertEqual(ImportSyntax.detect(Array("\u{FEFF} \n{\"councils\":[]}".utf8)), .json)
        XCTAssertEqual(ImportSyntax.detect(Array("[]".utf8)), .json)
        XCTAssertEqual(ImportSyntax.detect(Array("code,la_code\n".utf8)), .csv)
        XCTAssertEqual(ImportSyntax.detect([]), .csv)
        XCTAssertThrowsError(try Importer.parse(Array("a,b\n1,2\n".utf8), as: .csv, existing: ImportContext())) { error in
            XCTAssertEqual((error as? ImportError)?.issues.first?.row, 1)
        }
        XCTAssertThrowsError(try Importer.parse(Array("{}".utf8), as: .csv, existing: ImportContext()))
        XCTAssertThrowsError(try Importer.parse(Array("\"open".utf8), as: .csv, existing: ImportContext())) { error in
            XCTAssertEqual((error as? ImportError)?.issues.first?.row, 1)
        }
    }
}
