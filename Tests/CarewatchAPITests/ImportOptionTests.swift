import Foundation
import HTTPTestClient
import TestFixtures
import XCTest

/// `POST /v1/import`'s options say something of the file sent: one that this file is not
/// is refused with a 400 naming it (never ignored), and a file sent again without its name
/// changes nothing.
final class ImportOptionTests: APITestCase {
    private var childrenInNeed: String { RepositoryData.root + "/sources/dfe/context/b1_children_in_need_2013_to_2025.csv" }
    private var neighbourModel: String { RepositoryData.root + "/sources/dfe/neighbours/sn_model_2025_wide.csv" }

    /// `model` on a file that is not a neighbour model, `published` on one that is not a
    /// publisher's: 400 naming the option, and nothing applied.
    func testAnOptionThatDoesNotApplyToTheFileIsRefused() throws {
        let tidy = try RepositoryData.bytes(childrenInNeed)
        let latest = try server.get("/v1/changes?limit=1").object["latest"] as? Int
        let cases: [(String, [UInt8], String, String)] = [
            ("/v1/import?model=2025&source=b1_children_in_need_2013_to_2025.csv", tidy, "text/csv", "model"),
            ("/v1/import?model=2025", Array(#"{"councils":[]}"#.utf8), "application/json", "model"),
            ("/v1/import?published=2025-01-01", Array(#"{"councils":[]}"#.utf8), "application/json", "published"),
            ("/v1/import?published=2025-01-01", Array("council,year,caseload\nE08000028,2016,17.5\n".utf8), "text/csv", "published"),
        ]
        for (target, body, contentType, option) in cases {
            let response = try server.write("POST", target, raw: body, contentType: contentType)
            let problem = assertProblem(response, 400)
            XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, option, target)
            XCTAssertTrue((problem["detail"] as? String ?? "").contains(option), "\(target): \(response.text)")
        }
        XCTAssertEqual(try server.get("/v1/changes?limit=1").object["latest"] as? Int, latest, "nothing was applied")
        XCTAssertEqual(try server.get("/v1/councils/sandwell/workforce/2016").status, 404)

        // Where they apply, they are taken.
        let model = try server.write("POST", "/v1/import?model=2025&published=2025-06-01", raw: try RepositoryData.bytes(neighbourModel), contentType: "text/csv")
        XCTAssertEqual(model.status, 200, model.text)
    }

    /// A `source` with white space at an end is a bad query parameter (400, once), not one
    /// 422 per row of the file.
    func testASourceWithSurroundingSpaceIsOneBadParameter() throws {
        let response = try server.write("POST", "/v1/import?source=%20b1.csv", raw: try RepositoryData.bytes(childrenInNeed), contentType: "text/csv")
        let problem = assertProblem(response, 400)
        XCTAssertEqual(problem["errors"] as? [[String: String]], [["field": "source", "message": "must be a file name: at most 200 bytes, no slash or control characters, no white space at either end"]])
    }

    /// DfE's children-in-need file, already in the embedded data, sent again without
    /// `source=`: its rows keep their source, so nothing changes (no version, ETag or change).
    func testAPublishedFileSentAgainWithoutItsNameChangesNothing() throws {
        let before = try server.get("/v1/figures?area=sandwell&dataset=children_in_need&year=2025")
        XCTAssertEqual(before.items.first?["source"] as? String, "b1_children_in_need_2013_to_2025.csv")
        let latest = try server.get("/v1/changes?limit=1").object["latest"] as? Int

        let again = try server.write("POST", "/v1/import", raw: try RepositoryData.bytes(childrenInNeed), contentType: "text/csv")
        XCTAssertEqual(again.status, 200, again.text)
        XCTAssertEqual(again.object["release"] as? String, "b1-children-in-need-2013-to-2025")
        XCTAssertEqual(again.object["changed"] as? [String: Int], ["councils": 0, "inspections": 0, "workforce": 0, "figures": 0, "neighbours": 0])
        let after = try server.get("/v1/figures?area=sandwell&dataset=children_in_need&year=2025")
        XCTAssertEqual(after.items.first?["source"] as? String, "b1_children_in_need_2013_to_2025.csv")
        XCTAssertEqual(after.header("ETag"), before.header("ETag"))
        XCTAssertEqual(try server.get("/v1/changes?limit=1").object["latest"] as? Int, latest)
    }

    /// Ofsted's 2025 sheet, whose inspections the embedded data already holds, changes
    /// nothing and is recorded as no release: the answer names none, rather than an id
    /// `GET /v1/releases/{release}` does not know. A release the answer names is there.
    func testTheReleaseAnImportNamesIsOneTheServerHolds() throws {
        let sheet = try server.write("POST", "/v1/import", raw: try RepositoryData.bytes(RepositoryData.ofsted("2025_Inspections_as_at_31_March.csv")),
                                     contentType: "text/csv")
        XCTAssertEqual(sheet.status, 200, sheet.text)
        XCTAssertEqual(sheet.object["format"] as? String, "ofsted_csv")
        XCTAssertEqual(sheet.object["changed"] as? [String: Int], ["councils": 0, "inspections": 0, "workforce": 0, "figures": 0, "neighbours": 0])
        XCTAssertTrue(sheet.object["release"] is NSNull, sheet.text)
        XCTAssertEqual(try server.total("/v1/releases"), 12)

        let model = try server.write("POST", "/v1/import?model=2025", raw: try RepositoryData.bytes(neighbourModel), contentType: "text/csv")
        let release = try XCTUnwrap(model.object["release"] as? String, model.text)
        XCTAssertEqual(try server.get("/v1/releases/\(release)").status, 200)
    }
}
