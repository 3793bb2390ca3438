import Foundation
import TestFixtures
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

    /// `import --help` names every kind of file the importer takes, as `POST /v1/import` does:
    /// DfE's tidy files and neighbour models too.
    func testImportHelpNamesEveryFormatItTakes() throws {
        let help = try runCarewatch(["import", "--help"])
        XCTAssertEqual(help.status, 0, "\(help)")
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "  ", with: " ")
        for kind in ["JSON import document", "csww_indicators", "tidy file", "statistical neighbour model", "Ofsted"] {
            XCTAssertTrue(text.contains(kind), "import --help names \(kind): \(help.stdout)")
        }
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

        // Restored into a second directory: the identical document.
        let second = try temporaryDirectory(self, "cli-second")
        let restored = try runCarewatch(["restore", exported.path, "--data-dir", second.path])
        XCTAssertEqual(restored.status, 0, "\(restored)")
        let secondExport = work.appendingPathComponent("export2.json")
        XCTAssertEqual(try runCarewatch(["export", secondExport.path, "--data-dir", second.path]).status, 0)
        XCTAssertEqual(try Data(contentsOf: secondExport), try Data(contentsOf: exported))

        // Export to standard output works too.
        let stdout = try runCarewatch(["export", "--data-dir", second.path])
        XCTAssertEqual(stdout.status, 0)
        XCTAssertTrue(stdout.stdout.hasPrefix("{"))
    }

    func testOfflineImportOfABadFileChangesNothing() throws {
        let work = try temporaryDirectory(self, "cli-bad-files")
        let csv = work.appendingPathComponent("bad.csv")
        try Data(("council,year,employed_fte,agency_fte,agency_rate,vacancy_fte,vacancy_rate,leavers_fte,turnover_rate,caseload,absence_rate,asye_share,source\n"
                  + "E08000028,2024,250.5,,,,,,,14.5,,,cli\nE08000028,2023,100,,250,,,,,,,,cli\n").utf8).write(to: csv)

        // Into a directory that does not exist: refused, and nothing is left (no directory,
        // no lock, no seed), however deep the path.
        let new = work.appendingPathComponent("a/b/data")
        let result = try runCarewatch(["import", csv.path, "--data-dir", new.path])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("line 3, agency_rate: must be"), "names line and field: \(result.stderr)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("a").path), "nothing left behind")

        // Into an empty directory (a fresh volume): it stays empty.
        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertEqual(try runCarewatch(["import", csv.path, "--data-dir", empty.path]).status, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: empty.path), [])

        // Into a directory with data: all or nothing.
        let directory = try temporaryDirectory(self, "cli-bad")
        let good = work.appendingPathComponent("good.csv")
        try Data("council,year,employed_fte\nE08000028,2024,250.5\n".utf8).write(to: good)
        XCTAssertEqual(try runCarewatch(["import", good.path, "--data-dir", directory.path]).status, 0)
        let before = try runCarewatch(["export", "--data-dir", directory.path]).stdout
        XCTAssertEqual(try runCarewatch(["import", csv.path, "--data-dir", directory.path]).status, 1)
        XCTAssertEqual(try runCarewatch(["export", "--data-dir", directory.path]).stdout, before, "all or nothing")
    }

    /// Opening a data directory removes only what carewatch left there (a snapshot's
    /// `.tmp`), never another file that ends in `.tmp`: an export written into the data
    /// directory itself (as `FILE.tmp`, then renamed) succeeds, and a user's file stays.
    func testOpeningADataDirectoryRemovesOnlyItsOwnTemporaryFiles() throws {
        let directory = try temporaryDirectory(self, "cli-own-tmp")
        let work = try temporaryDirectory(self, "cli-own-tmp-files")
        let good = work.appendingPathComponent("good.csv")
        try Data("council,year,employed_fte\nE08000028,2024,250.5\n".utf8).write(to: good)
        XCTAssertEqual(try runCarewatch(["import", good.path, "--data-dir", directory.path]).status, 0)
        let notes = directory.appendingPathComponent("notes.tmp")
        try Data("mine".utf8).write(to: notes)
        let leftover = directory.appendingPathComponent("snapshot-00000000000000000099.json.tmp")
        try Data("half a snapshot".utf8).write(to: leftover)

        let backup = directory.appendingPathComponent("backup.json")
        let export = try runCarewatch(["export", backup.path, "--data-dir", directory.path])
        XCTAssertEqual(export.status, 0, "\(export)")
        XCTAssertTrue(try Data(contentsOf: backup).starts(with: Array("{".utf8)), "the export is there")
        XCTAssertEqual(try Data(contentsOf: notes), Data("mine".utf8), "a file of the user's stays")
        XCTAssertFalse(FileManager.default.fileExists(atPath: leftover.path), "a snapshot's leftover goes")

        // check counts every collection the directory holds, as restore's report does.
        let check = try runCarewatch(["check", directory.path])
        XCTAssertEqual(check.status, 0, "\(check)")
        XCTAssertTrue(check.stdout.contains(": 153 councils, 778 inspections, 1325 workforce rows, 11567 published figure rows, 309 neighbour lists\n"), check.stdout)
    }

    func testExportAndCheckOfADirectoryThatIsNotThere() throws {
        let work = try temporaryDirectory(self, "cli-missing")
        let missing = work.appendingPathComponent("missing")
        let export = try runCarewatch(["export", "--data-dir", missing.path])
        XCTAssertEqual(export.status, 1, "\(export)")
        XCTAssertEqual(export.stdout, "", "no export of the embedded data")
        XCTAssertEqual(export.stderr, "carewatch export: data directory \(missing.path) does not exist\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing.path), "export creates nothing")
        let toFile = try runCarewatch(["export", work.appendingPathComponent("out.json").path, "--data-dir", missing.path])
        XCTAssertEqual(toFile.status, 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path), [], "no output file, no temporary file")

        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let exportEmpty = try runCarewatch(["export", "--data-dir", empty.path])
        XCTAssertEqual(exportEmpty.status, 1)
        XCTAssertTrue(exportEmpty.stderr.contains("holds no data"), exportEmpty.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: empty.path), [])

        let check = try runCarewatch(["check", missing.path])
        XCTAssertEqual(check.status, 1)
        XCTAssertEqual(check.stderr, "carewatch check: data directory \(missing.path) does not exist\n")
        XCTAssertFalse(check.stdout.contains("DAMAGED"), check.stdout)
        let checkEmpty = try runCarewatch(["check", empty.path])
        XCTAssertEqual(checkEmpty.status, 0, "\(checkEmpty)")
        XCTAssertTrue(checkEmpty.stdout.contains("holds no data yet"), checkEmpty.stdout)
    }

    /// Messages about files speak of files: the system's reason, no HTTP words, one prefix,
    /// no doubled colons; a file's format is told by its content, whatever its name.
    func testMessagesSpeakTheCommandLinesLanguage() throws {
        let work = try temporaryDirectory(self, "cli-words")
        let directory = work.appendingPathComponent("data")
        let jsonNamedCSV = work.appendingPathComponent("councils.csv")
        try Data(#"{"councils":[{"code":"E06000099","la_code":999,"name":"New Town","region":"South East","kind":"unitary"}]}"#.utf8).write(to: jsonNamedCSV)
        let imported = try runCarewatch(["import", jsonNamedCSV.path, "--data-dir", directory.path, "--log-level", "warning"])
        XCTAssertEqual(imported.status, 0, "\(imported)")
        XCTAssertEqual(imported.stderr, "")

        var messages: [String] = []
        func failure(_ arguments: [String], _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let result = try runCarewatch(arguments + ["--data-dir", directory.path])
            XCTAssertEqual(result.status, 1, "\(result)", file: file, line: line)
            XCTAssertTrue(result.stderr.contains(expected), "\(expected) in \(result.stderr)", file: file, line: line)
            messages.append(result.stderr)
        }
        try failure(["import", work.appendingPathComponent("nope.csv").path], "carewatch import: cannot read \(work.path)/nope.csv: No such file or directory")
        try failure(["import", work.path], "carewatch import: cannot read \(work.path): Is a directory")
        let header = work.appendingPathComponent("header.csv")
        try Data("hello,world\n1,2\n".utf8).write(to: header)
        try failure(["import", header.path], "carewatch import: nothing was imported: \(header.path) has 1 problem:\n  line 1: the header matches no import format")
        let malformed = work.appendingPathComponent("broken.json")
        try Data("{\"councils\": [".utf8).write(to: malformed)
        try failure(["import", malformed.path], "nothing was imported: \(malformed.path) has 1 problem:\n  malformed JSON")
        try failure(["export", "/nonexistent-dir/out.json"], "carewatch export: cannot write /nonexistent-dir/out.json: No such file or directory")
        // A neighbour model under a name without its year: the advice is one the command line
        // can follow (a name with the year), not a query parameter.
        let model = work.appendingPathComponent("neighbours.csv")
        try Data(contentsOf: URL(fileURLWithPath: RepositoryData.root + "/sources/dfe/neighbours/sn_model_2025_wide.csv")).write(to: model)
        try failure(["import", model.path], "model: this is a statistical neighbour file that does not say which model (year) it is: name the file with its year, as DfE does (sn_model_2025_wide.csv)")
        for message in messages {
            for wrong in ["::", ": :", "sent as", "Content-Type", "body", "carewatch: carewatch", "carewatch import: carewatch", "model="] {
                XCTAssertFalse(message.contains(wrong), "'\(wrong)' in \(message)")
            }
        }
    }
}
