import Foundation
import XCTest

/// The command line as an operator meets it: help, version, one-line usage errors with exit
/// status 2, and offline import/export on a data directory.
final class CLITests: EndToEndTestCase {
    func testHelp() throws {
        let help = try runCarewatch(["--help"])
        XCTAssertEqual(help.status, 0, "\(help)")
        for word in ["serve", "import", "export", "check", "healthcheck"] {
            XCTAssertTrue(help.stdout.contains(word), "help lists \(word): \(help.stdout)")
        }
        let serveHelp = try runCarewatch(["serve", "--help"])
        XCTAssertEqual(serveHelp.status, 0)
        XCTAssertTrue(serveHelp.stdout.contains("--port") && serveHelp.stdout.contains("CAREWATCH_PORT"), serveHelp.stdout)
        XCTAssertTrue(serveHelp.stderr.isEmpty, serveHelp.stderr)
    }

    func testVersion() throws {
        let version = try runCarewatch(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("carewatch "), version.stdout)
        XCTAssertNotNil(version.stdout.range(of: #"\d+\.\d+\.\d+"#, options: .regularExpression), version.stdout)
    }

    func testUnknownFlagExitsTwoWithOneLine() throws {
        for arguments in [["--bogus"], ["serve", "--prot", "80"], ["frobnicate"], ["serve", "--port", "99999"]] {
            let result = try runCarewatch(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result)")
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(arguments): one line: \(result.stderr)")
            XCTAssertTrue(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
        }
        XCTAssertTrue(try runCarewatch(["--bogus"]).stderr.contains("--bogus"))
    }

    func testOfflineImportExportRoundTrip() throws {
        let first = try temporaryDirectory(self, "cli-first")
        let work = try temporaryDirectory(self, "cli-files")
        // Import a small project CSV into a new directory (seeded with the embedded data).
        let csv = work.appendingPathComponent("workforce.csv")
        try Data(("council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\n"
                  + "E08000028,2010,250.5,,,,,,,14.5,,,cli\nE08000016,2010,120,,,,,,,,,,cli\n").utf8).write(to: csv)
        let imported = try runCarewatch(["import", csv.path, "--data-dir", first.path])
        XCTAssertEqual(imported.status, 0, "\(imported)")
        XCTAssertTrue(imported.stdout.contains("\"workforce\": 2") || imported.stdout.contains("\"workforce\":2"), imported.stdout)

        let exported = work.appendingPathComponent("export.json")
        let export = try runCarewatch(["export", exported.path, "--data-dir", first.path])
        XCTAssertEqual(export.status, 0, "\(export)")
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: exported)) as? [String: Any])
        XCTAssertEqual((document["councils"] as? [Any])?.count, 153)
        XCTAssertEqual((document["inspections"] as? [Any])?.count, 778)
        XCTAssertEqual((document["workforce"] as? [Any])?.count, 1327)
        let row = (document["workforce"] as? [[String: Any]])?.first { $0["council"] as? String == "E08000028" && $0["year"] as? Int == 2010 }
        XCTAssertEqual(row?["employed_fte"] as? Double, 250.5)
        XCTAssertEqual(row?["caseload"] as? Double, 14.5)
        // Barnsley's old code resolved to the current one.
        XCTAssertTrue((document["workforce"] as? [[String: Any]])?.contains { $0["council"] as? String == "E08000038" && $0["year"] as? Int == 2010 } ?? false)

        // Into a second directory that starts empty (seeded from an empty document): identical export.
        let emptySeed = work.appendingPathComponent("empty.json")
        try Data(#"{"councils":[],"inspections":[],"workforce":[]}"#.utf8).write(to: emptySeed)
        let second = try temporaryDirectory(self, "cli-second")
        let seeded = try start(second, arguments: ["--seed", emptySeed.path])
        XCTAssertEqual(try seeded.client.request("GET", "/v1/councils?limit=1").object["total"] as? Int, 0)
        XCTAssertEqual(seeded.terminate(), 0)
        let reimported = try runCarewatch(["import", exported.path, "--data-dir", second.path])
        XCTAssertEqual(reimported.status, 0, "\(reimported)")
        let secondExport = work.appendingPathComponent("export2.json")
        XCTAssertEqual(try runCarewatch(["export", secondExport.path, "--data-dir", second.path]).status, 0)
        let again = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: secondExport)) as? [String: Any])
        XCTAssertEqual(withoutTimestamps(again), withoutTimestamps(document))

        // Export to standard output works too.
        let stdout = try runCarewatch(["export", "--data-dir", second.path])
        XCTAssertEqual(stdout.status, 0)
        XCTAssertTrue(stdout.stdout.hasPrefix("{"))
    }

    func testOfflineImportOfABadFileChangesNothing() throws {
        let directory = try temporaryDirectory(self, "cli-bad")
        let work = try temporaryDirectory(self, "cli-bad-files")
        let csv = work.appendingPathComponent("bad.csv")
        try Data(("council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\n"
                  + "E08000028,2010,250.5,,,,,,,14.5,,,cli\nE08000028,2011,100,,250,,,,,,,,cli\n").utf8).write(to: csv)
        let result = try runCarewatch(["import", csv.path, "--data-dir", directory.path])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("agency_rate") && result.stderr.contains("3"), "names row and field: \(result.stderr)")
        let export = try runCarewatch(["export", "--data-dir", directory.path])
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((document["workforce"] as? [Any])?.count, 1325, "all or nothing")
        let missing = try runCarewatch(["import", work.appendingPathComponent("nope.csv").path, "--data-dir", directory.path])
        XCTAssertNotEqual(missing.status, 0)
    }

    private func withoutTimestamps(_ document: [String: Any]) -> NSDictionary {
        var copy = document
        copy["councils"] = (document["councils"] as? [[String: Any]])?.map { council -> [String: Any] in
            var council = council
            council.removeValue(forKey: "updated_at")
            return council
        }
        return NSDictionary(dictionary: copy)
    }
}
