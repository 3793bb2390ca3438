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
        XCTAssertEqual(parsed.objectValue?.keys, ["councils", "inspections", "workforce"])
        XCTAssertEqual(parsed["councils"]?.arrayValue?.count, 3)
        let empty = Exporter.document(councils: [], inspections: [], workforce: [])
        XCTAssertEqual(String(decoding: empty, as: UTF8.self), #"{"councils":[],"inspections":[],"workforce":[]}"#)
    }

    func testExportedSeedImportsBackUnchanged() throws {
        let seed = self.seed
        let latest = Dictionary(uniqueKeysWithValues: seed.councils.compactMap { council in
            GradeHistory.inForce(seed.inspections.filter { $0.council == council.code }, asOf: CalendarDate(iso: "2100-01-01")!, basis: .published)
                .map { (council.code, $0) }
        })
        let bytes = Exporter.document(councils: seed.councils, inspections: seed.inspections, workforce: seed.workforce,
                                      latest: { latest[$0] })
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
        let workforceCSV = CSVExport.workforce(seed.workforce, lineEnding: .lf)
        // Same columns and number spelling as the seed file itself.
        XCTAssertEqual(String(decoding: workforceCSV, as: UTF8.self), EmbeddedSeedData.files["workforce.csv"])
        XCTAssertEqual(try Importer.parse(Exporter.workforceCSV(seed.workforce), as: .csv, existing: context).workforce, seed.workforce)
        let inspections = try Importer.parse(Exporter.inspectionsCSV(seed.inspections), as: .csv, existing: context)
        XCTAssertEqual(inspections.format, .inspectionsCSV)
        XCTAssertEqual(inspections.inspections, seed.inspections)
        let councils = try Importer.parse(Exporter.councilsCSV(seed.councils, latest: { _ in seed.inspections[0] }), as: .csv,
                                          existing: ImportContext())
        XCTAssertEqual(councils.councils, seed.councils)
    }
}
