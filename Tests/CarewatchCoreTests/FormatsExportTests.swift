import Foundation
import XCTest
@testable import CarewatchCore

final class FormatsExportTests: XCTestCase {
    private var seed: ImportDocument { SeedData.defaultDocument() }

    func testChunksConcatenateToTheWholeDocumentAndEnd() throws {
        let seed = self.seed
        let small = Array(seed.councils.prefix(3))
        let next = Exporter.documentChunks(councils: small, inspections: Array(seed.inspections.prefix(5)),
                                           workforce: Array(seed.workforce.prefix(4)), latest: { _ in nil }, chunkSize: 100)
        var chunks: [[UInt8]] = []
        while let chunk = next() { chunks.append(chunk) }
        XCTAssertNil(next())
        XCTAssertGreaterThan(chunks.count, 3)
        XCTAssertTrue(chunks.allSatisfy { !$0.isEmpty })
        let whole = Exporter.document(councils: small, inspections: Array(seed.inspections.prefix(5)), workforce: Array(seed.workforce.prefix(4)))
        XCTAssertEqual(chunks.flatMap { $0 }, whole)
        let parsed = try JSONParser.parse(whole)
        XCTAssertEqual(parsed.objectValue?.keys, ["councils", "inspections", "workforce", "figures", "neighbours"])
        XCTAssertEqual(parsed["councils"]?.arrayValue?.count, 3)
        let empty = Exporter.document(councils: [], inspections: [], workforce: [])
        XCTAssertEqual(String(decoding: empty, as: UTF8.self), #"{"councils":[],"inspections":[],"workforce":[],"figures":[],"neighbours":[]}"#)
    }

    func testExportedSeedImportsBackUnchanged() throws {
        let seed = self.seed
        let latest = Dictionary(uniqueKeysWithValues: seed.councils.compactMap { council in
            GradeHistory.inForce(seed.inspections.filter { $0.council == council.code }, asOf: CalendarDate(iso: "2100-01-01")!, basis: .published)
                .map { (council.code, $0) }
        })
        let bytes = Exporter.document(councils: seed.councils, inspections: seed.inspections, workforce: seed.workforce,
                                      figures: seed.figures, neighbours: seed.neighbours, latest: { latest[$0] })
        let back = try Importer.parse(bytes, as: .json, existing: ImportContext())
        XCTAssertEqual(back.format, .json)
        XCTAssertEqual(back.councils, seed.councils)
        XCTAssertEqual(back.inspections, seed.inspections)
        // A JSON import derives rates the row leaves out from its FTEs (the contract's rule);
        // the seed keeps DfE's suppressions, so compare with that rule applied.
        XCTAssertEqual(back.workforce, seed.workforce.map { row in
            var derived = row
            derived.deriveRates()
            return derived
        })
        // Published figures and neighbour lists, DfE's symbols included, come back as they went.
        XCTAssertEqual(back.figures, seed.figures)
        XCTAssertEqual(back.neighbours, seed.neighbours)
        XCTAssertTrue(back.figures.contains { !$0.suppressed.isEmpty })
    }

    func testJSONImportReportsEveryBadRecordWithItsPath() {
        let document = #"""
        {"councils": [{"code": "E06000001", "la_code": 805, "name": "Hartlepool", "region": "Atlantis", "kind": "unitary"}],
         "inspections": [{"council": "nowhere", "framework": "ilacs"}, {"council": "hartlepool", "framework": "ilacs", "overall": "great"}],
         "workforce": [{"council": "E06000001", "year": 2020, "agency_rate": 140}],
         "extra": []}
        """#
        let seed = self.seed
        XCTAssertThrowsError(try Importer.parse(Array(document.utf8), existing: ImportContext(councils: seed.councils))) { error in
            let fields = Set(((error as? ImportError)?.issues ?? []).map(\.field))
            XCTAssertTrue(fields.isSuperset(of: ["extra", "councils[0].region", "inspections[0].council", "inspections[1].overall", "workforce[0].agency_rate"]), "\(fields)")
        }
        let good = #"{"inspections": [{"council": "hartlepool", "framework": "focused_visit", "started": "2024-01-08"}]}"#
        let parsed = try? Importer.parse(Array(good.utf8), as: .json, existing: ImportContext(councils: seed.councils))
        XCTAssertEqual(parsed?.inspections.first?.council, "E06000001")
        XCTAssertEqual(parsed?.inspections.first?.id.hasPrefix("insp-"), true)
    }

    func testCSVExportsRoundTripThroughTheImporter() throws {
        let seed = self.seed
        let context = ImportContext(councils: seed.councils)
        let workforceCSV = String(decoding: CSVExport.workforce(seed.workforce, lineEnding: .lf), as: UTF8.self)
        // DfE's number spelling, and its symbols in the cells of withheld figures.
        XCTAssertTrue(workforceCSV.hasPrefix("council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\n"))
        XCTAssertTrue(workforceCSV.contains("\nE06000001,2017,108.8,10,8.4,"), workforceCSV.prefix(300).description)
        XCTAssertTrue(workforceCSV.contains("\nE09000033,2025,x,x,x,x,x,x,x,x,x,,csww_indicators_2017_to_2025.csv\n"))
        XCTAssertEqual(try Importer.parse(Exporter.workforceCSV(seed.workforce), as: .csv, existing: context).workforce, seed.workforce)
        let figuresCSV = String(decoding: CSVExport.figures(seed.figures.filter { $0.area == AreaCode.england && $0.year == 2025 }, lineEnding: .lf), as: UTF8.self)
        XCTAssertTrue(figuresCSV.contains("\nworkforce,E92000001,national,England,2025,agency_rate,13,,csww_indicators_2017_to_2025.csv\n"), figuresCSV)
        let inspections = try Importer.parse(Exporter.inspectionsCSV(seed.inspections), as: .csv, existing: context)
        XCTAssertEqual(inspections.format, .inspectionsCSV)
        XCTAssertEqual(inspections.inspections, seed.inspections)
        let councils = try Importer.parse(Exporter.councilsCSV(seed.councils, latest: { _ in seed.inspections[0] }), as: .csv,
                                          existing: ImportContext())
        XCTAssertEqual(councils.councils, seed.councils)
    }
}
