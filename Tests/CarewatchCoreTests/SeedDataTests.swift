import Foundation
import HexEncoding
import TestFixtures
import XCTest
@testable import CarewatchCore

final class SeedDataTests: XCTestCase {
    func testDefaultDocumentLoadsEveryRowAsPublished() {
        let document = SeedData.defaultDocument()
        XCTAssertEqual(document.councils.count, 153)
        XCTAssertEqual(document.inspections.count, 778)
        XCTAssertEqual(document.workforce.count, 1325)
        XCTAssertEqual(document.inspections.filter { $0.started == nil }.count, 325)
        XCTAssertEqual(document.inspections.filter { $0.published == nil }.count, 125)
    }

    func testSlugsAreDerivedAndUnique() {
        let councils = SeedData.defaultDocument().councils
        XCTAssertEqual(Set(councils.map(\.slug)).count, councils.count)
        let hull = councils.first { $0.name == "Kingston upon Hull, City of" }
        XCTAssertEqual(hull?.slug, "kingston-upon-hull-city-of")
    }

    func testFormerCodesAndCouncilFields() {
        let barnsley = SeedData.defaultDocument().councils.first { $0.code == "E08000038" }
        XCTAssertEqual(barnsley?.formerCodes, ["E08000016"])
        XCTAssertEqual(barnsley?.laCode, 370)
        XCTAssertEqual(barnsley?.region, .yorkshireAndTheHumber)
        XCTAssertEqual(barnsley?.kind, .metropolitanDistrict)
    }

    func testInspectionIDsAreDeterministicAndUnique() {
        let inspections = SeedData.defaultDocument().inspections
        XCTAssertEqual(Set(inspections.map(\.id)).count, inspections.count)
        for inspection in inspections {
            XCTAssertTrue(inspection.id.hasPrefix("insp-") && inspection.id.utf8.count == 13)
            XCTAssertEqual(inspection.id, InspectionID.derive(for: inspection))
        }
        let taken = Set(inspections.map(\.id))
        let fresh = InspectionID.generate(existing: taken.contains)
        XCTAssertFalse(taken.contains(fresh))
        XCTAssertTrue(fresh.hasPrefix("insp-") && fresh.utf8.count == 13)
        // FNV-1a 32 of "a" is 0xe40c292c (reference value).
        XCTAssertEqual(Hex.string(InspectionID.fnv1a32("a".utf8), minimumDigits: 8), "e40c292c")
    }

    func testEmptyFiguresAndVisitsStayEmpty() {
        let document = SeedData.defaultDocument()
        let westminster2025 = document.workforce.first { $0.council == "E09000033" && $0.year == 2025 }
        XCTAssertNotNil(westminster2025)
        XCTAssertNil(westminster2025?.employedFTE)
        XCTAssertNil(westminster2025?.agencyRate)
        XCTAssertEqual(westminster2025?.suppressed.count, 9)
        XCTAssertEqual(Set(westminster2025.map { Array($0.suppressed.values) } ?? []), ["x"])
        XCTAssertTrue(document.inspections.filter { $0.framework.isVisit }.allSatisfy { $0.overall == nil })
        let hartlepool2017 = document.workforce.first { $0.council == "E06000001" && $0.year == 2017 }
        XCTAssertEqual(hartlepool2017?.employedFTE, 108.8)
        XCTAssertEqual(hartlepool2017?.agencyFTE, 10)
        XCTAssertEqual(hartlepool2017?.source, "csww_indicators_2017_to_2025.csv")
    }

    func testProvenanceAndLicence() {
        XCTAssertTrue(SeedData.provenance.hasPrefix("# Provenance of the carewatch default dataset"))
        XCTAssertTrue(SeedData.licence.contains("Contains public sector information licensed under the Open Government Licence v3.0."))
    }

    /// The binary carries the repository's files byte for byte: DfE's exactly as published.
    func testEmbeddedFilesAreTheRepositoryFiles() throws {
        var paths = ["councils.csv", "inspections.csv", "PROVENANCE.md", "sources/dfe/csww_indicators_2017_to_2025.csv"]
        paths += try FileManager.default.contentsOfDirectory(atPath: RepositoryData.root + "/sources/dfe/context").map { "sources/dfe/context/" + $0 }
        paths += try FileManager.default.contentsOfDirectory(atPath: RepositoryData.root + "/sources/dfe/neighbours").map { "sources/dfe/neighbours/" + $0 }
        paths += try FileManager.default.contentsOfDirectory(atPath: RepositoryData.root + "/sources/dfe/releases").map { "sources/dfe/releases/" + $0 }
        XCTAssertEqual(paths.count, 15)
        XCTAssertEqual(Set(EmbeddedSeedData.files.keys), Set(paths.map { URL(fileURLWithPath: $0).lastPathComponent }))
        for path in paths {
            let name = URL(fileURLWithPath: path).lastPathComponent
            XCTAssertEqual(EmbeddedSeedData.files[name].map { Array($0.utf8) }, try RepositoryData.bytes(RepositoryData.root + "/" + path), path)
        }
        // Every official file the seed reads is embedded, and the workforce figures come from DfE's file.
        XCTAssertTrue(SeedData.officialFiles.allSatisfy { EmbeddedSeedData.files[$0] != nil })
    }

    /// What the seed holds besides councils and inspections, and what it left out and why.
    func testSeedReadsDfEFilesAsPublished() {
        let document = SeedData.defaultDocument()
        var rows: [String: Int] = [:]
        for row in document.figures { rows[row.dataset, default: 0] += 1 }
        XCTAssertEqual(rows, ["workforce": 122, "children_in_need": 2091, "referrals": 2091, "cpp_starts": 2091, "cpp_at_31_march": 2091,
                              "children_looked_after": 825, "cla_social_workers": 165, "population": 2091])
        XCTAssertEqual(document.neighbours.filter { $0.model == "2025" }.count, 153)
        XCTAssertEqual(document.neighbours.filter { $0.model == "2021" }.count, 156)
        // Every skip names an authority that no longer exists, or a heading inside a neighbour file.
        for skip in document.skipped {
            XCTAssertTrue(skip.reason.contains("abolished") || skip.reason.contains("a heading inside the file"), skip.description)
        }
    }
}
