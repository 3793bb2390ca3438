import Foundation
import HTTPTestClient
import XCTest

/// One rule wherever an area is named: England, a region and DfE's Inner and Outer London by
/// name in any case or by code; `region=` (councils, workforce) and `area=` (figures) agree.
final class AreaNamingTests: APITestCase {
    func testFigureAreasTakeNamesInAnyCaseAndCodes() throws {
        let innerLondon = try server.total("/v1/figures?area=E13000001")
        XCTAssertGreaterThan(innerLondon, 0)
        for name in ["Inner%20London", "inner%20london", "INNER+LONDON", "e13000001"] {
            XCTAssertEqual(try server.total("/v1/figures?area=\(name)"), innerLondon, name)
        }
        let westMidlands = try server.total("/v1/figures?area=E12000005")
        for name in ["West%20Midlands", "west%20midlands", "WEST+MIDLANDS", "e12000005"] {
            XCTAssertEqual(try server.total("/v1/figures?area=\(name)"), westMidlands, name)
        }
        let england = try server.total("/v1/figures?area=E92000001")
        for name in ["england", "England", "ENGLAND", "e92000001"] {
            XCTAssertEqual(try server.total("/v1/figures?area=\(name)"), england, name)
        }
        XCTAssertEqual(try server.total("/v1/figures?area=Sandwell"), try server.total("/v1/figures?area=sandwell"))
    }

    func testRegionFiltersTakeNamesInAnyCaseAndE12Codes() throws {
        for list in ["/v1/councils", "/v1/workforce"] {
            let westMidlands = try server.total("\(list)?region=West%20Midlands")
            XCTAssertGreaterThan(westMidlands, 0, list)
            for name in ["E12000005", "e12000005", "west%20midlands", "WEST+MIDLANDS"] {
                XCTAssertEqual(try server.total("\(list)?region=\(name)"), westMidlands, "\(list) region=\(name)")
            }
            for wrong in ["Mars", "E12000010", "E13000001", "West"] {
                let problem = assertProblem(try server.get("\(list)?region=\(wrong)"), 400)
                XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, "region", "\(list) region=\(wrong)")
                XCTAssertTrue((problem["detail"] as? String ?? "").contains("E12000001"), "the refusal says codes are taken: \(problem)")
            }
        }
    }
}
