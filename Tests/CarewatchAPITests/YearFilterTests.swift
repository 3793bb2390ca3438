import Foundation
import HTTPTestClient
import XCTest

/// Every year filter follows one rule (openapi.yaml, "Years"): a year after the latest that
/// can have figures by the server's clock, a range whose from is after its to, or a year or
/// range that holds none of the years stored is a 400 naming the parameter. The test server's
/// clock reads 2026-11-23: the current workforce reporting year is 2026, the current year 2026.
final class YearFilterTests: APITestCase {
    func assertRefused(_ target: String, naming field: String, saying words: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let problem = assertProblem(try server.get(target), 400, file: file, line: line)
        XCTAssertEqual((problem["errors"] as? [[String: Any]])?.first?["field"] as? String, field, target, file: file, line: line)
        let detail = problem["detail"] as? String ?? ""
        XCTAssertTrue(detail.contains("'\(field)'") && detail.contains(words), "\(target): \(detail)", file: file, line: line)
    }

    func testYearsInTheFutureAreRefusedEverywhere() throws {
        try assertRefused("/v1/councils/sandwell/compare?from=2030", naming: "from", saying: "in the future")
        try assertRefused("/v1/councils/sandwell/compare?measures=agency_rate&from=2020&to=2027", naming: "to", saying: "in the future")
        try assertRefused("/v1/figures?year=2030", naming: "year", saying: "in the future")
        try assertRefused("/v1/workforce?year=2027", naming: "year", saying: "in the future")
        try assertRefused("/v1/councils/sandwell/workforce?year=2027", naming: "year", saying: "in the future")
        try assertRefused("/v1/stats/workforce?year=2027", naming: "year", saying: "in the future")
    }

    func testYearsThatHoldNoFiguresAreRefused() throws {
        // Workforce figures are held from 2017 to 2025; 2026 is not in the future but holds none.
        try assertRefused("/v1/workforce?year=2026", naming: "year", saying: "from 2017 to 2025")
        try assertRefused("/v1/workforce?year=2010", naming: "year", saying: "from 2017 to 2025")
        try assertRefused("/v1/stats/workforce?year=2012", naming: "year", saying: "from 2017 to 2025")
        try assertRefused("/v1/figures?dataset=workforce&year=2010", naming: "year", saying: "no figures")
        try assertRefused("/v1/councils/sandwell/compare?measures=agency_rate&to=2016", naming: "to", saying: "from 2017 to 2025")
        try assertRefused("/v1/councils/sandwell/compare?measures=agency_rate&from=2026", naming: "from", saying: "from 2017 to 2025")
        try assertRefused("/v1/councils/sandwell/compare?measures=agency_rate&from=2025&to=2024", naming: "from", saying: "after")
    }

    func testYearsHeldAreAnswered() throws {
        assertStatus(try server.get("/v1/workforce?year=2025&limit=1"), 200)
        assertStatus(try server.get("/v1/stats/workforce?year=2017"), 200)
        assertStatus(try server.get("/v1/figures?year=2025&limit=1"), 200)
        assertStatus(try server.get("/v1/councils/sandwell/compare?measures=agency_rate&from=2010&to=2017"), 200)
        // A council without a row in a year that others have is an honest empty list, not an error.
        let council = try server.get("/v1/councils/sandwell/workforce?year=2025")
        assertStatus(council, 200)
    }
}
