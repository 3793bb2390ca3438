import Foundation
import HTTPTestClient
import XCTest

/// `carewatch restore`: a backup brings back exactly what it holds, where `import` only adds.
final class RestoreTests: EndToEndTestCase {
    private func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    private func export(_ directory: URL, to file: URL) throws -> [UInt8] {
        let result = try runCarewatch(["export", file.path, "--data-dir", directory.path])
        XCTAssertEqual(result.status, 0, "\(result)")
        return try bytes(file)
    }

    /// Export, delete a council, restore the earlier export into a fresh directory, export
    /// again: the same bytes.
    func testRestoreBringsABackupBackExactly() throws {
        let live = try temporaryDirectory(self, "restore-live")
        let work = try temporaryDirectory(self, "restore-files")
        let server = try start(live)
        // Data unlike the embedded data, so that the backup cannot be mistaken for the seed.
        XCTAssertEqual(try server.client.request("PATCH", "/v1/councils/sandwell", headers: authorized([("Content-Type", "application/merge-patch+json")]),
                                                 body: Array(#"{"name":"Sandwell Backed Up"}"#.utf8)).status, 200)
        XCTAssertEqual(try server.client.request("PUT", "/v1/councils/sandwell/workforce/2024", headers: authorized(),
                                                 body: Array(#"{"employed_fte": 250.5, "caseload": 17.5}"#.utf8)).status, 200)
        let exported = try server.client.request("GET", "/v1/export")
        XCTAssertEqual(exported.status, 200)
        let backup = exported.body
        let backupFile = work.appendingPathComponent("backup.json")
        try Data(backup).write(to: backupFile)
        XCTAssertEqual(try server.client.request("DELETE", "/v1/councils/E08000025", headers: authorized()).status, 204)
        let etagBefore = try server.client.request("GET", "/v1/councils/sandwell").header("ETag")
        XCTAssertEqual(server.terminate(), 0)
        XCTAssertNotEqual(try export(live, to: work.appendingPathComponent("after-delete.json")), backup)

        // Import is not a restore: it only adds or replaces, so a row the backup does not hold
        // survives it (whatever second the stamps fall in).
        let importedInto = work.appendingPathComponent("imported")
        let extra = work.appendingPathComponent("extra.csv")
        try Data("council,year,employed_fte,source\nE08000028,2010,99.5,not in the backup\n".utf8).write(to: extra)
        XCTAssertEqual(try runCarewatch(["import", extra.path, "--data-dir", importedInto.path]).status, 0)
        XCTAssertEqual(try runCarewatch(["import", backupFile.path, "--data-dir", importedInto.path]).status, 0)
        let imported = try export(importedInto, to: work.appendingPathComponent("imported.json"))
        XCTAssertNotEqual(imported, backup)
        XCTAssertTrue(String(decoding: imported, as: UTF8.self).contains("not in the backup"), "import kept the row the backup lacks")

        // Restore into a directory that does not exist yet.
        let fresh = work.appendingPathComponent("fresh/data")
        let restored = try runCarewatch(["restore", backupFile.path, "--data-dir", fresh.path])
        XCTAssertEqual(restored.status, 0, "\(restored)")
        XCTAssertTrue(restored.stdout.contains("\"councils\": 153"), restored.stdout)
        XCTAssertEqual(try export(fresh, to: work.appendingPathComponent("restored.json")), backup, "the export of a restore is the backup, byte for byte")

        // A directory that holds data is refused, and left alone, unless --replace is given.
        let refused = try runCarewatch(["restore", backupFile.path, "--data-dir", live.path])
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.hasPrefix("carewatch restore: data directory \(live.path) already holds data"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--replace"), refused.stderr)
        XCTAssertNotEqual(try export(live, to: work.appendingPathComponent("still.json")), backup)
        let replaced = try runCarewatch(["restore", "--replace", backupFile.path, "--data-dir", live.path])
        XCTAssertEqual(replaced.status, 0, "\(replaced)")
        XCTAssertEqual(files(in: live, prefix: "journal-"), [], "the replaced journal is gone")
        XCTAssertEqual(files(in: live, prefix: "snapshot-").count, 1, "one snapshot: the restored data")
        XCTAssertEqual(try export(live, to: work.appendingPathComponent("replaced.json")), backup)

        // The server serves the backup; versions move on past everything served before, so no
        // client's cached ETag can match a restored record by accident.
        let restarted = try start(live)
        XCTAssertEqual(try restarted.client.request("GET", "/v1/councils/E08000025").status, 200)
        let council = try restarted.client.request("GET", "/v1/councils/sandwell")
        XCTAssertEqual(council.object["name"] as? String, "Sandwell Backed Up")
        XCTAssertNotEqual(council.header("ETag"), etagBefore)
        XCTAssertEqual(try restarted.client.request("GET", "/v1/export").body, backup)
    }

    func testWhatRestoreRefusesLeavesNothingBehind() throws {
        let work = try temporaryDirectory(self, "restore-refused")
        let target = work.appendingPathComponent("new/data")
        func refused(_ name: String, _ content: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let path = work.appendingPathComponent(name)
            try Data(content.utf8).write(to: path)
            let result = try runCarewatch(["restore", path.path, "--data-dir", target.path])
            XCTAssertEqual(result.status, 1, "\(result)", file: file, line: line)
            XCTAssertTrue(result.stderr.hasPrefix("carewatch restore: "), result.stderr, file: file, line: line)
            XCTAssertTrue(result.stderr.contains(expected), "\(expected) in \(result.stderr)", file: file, line: line)
            XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("new").path), "nothing created", file: file, line: line)
        }
        let council = #"{"code":"E06000099","la_code":999,"name":"New Town","region":"South East","kind":"unitary"}"#
        try refused("workforce.csv", "council,year,employed_fte\nE08000028,2020,1\n", "use carewatch import")
        try refused("bad.json", #"{"councils":[{"code":"E06000099"}]}"#, "councils[0].la_code: is required")
        try refused("clash.json", #"{"councils":[\#(council),\#(council.replacingOccurrences(of: "E06000099", with: "E06000098").replacingOccurrences(of: "New Town", with: "Other Town"))]}"#, "la_code")
        try refused("orphan.json", #"{"workforce":[{"council":"E08000028","year":2020,"employed_fte":1}]}"#, "no council E08000028")
        let missing = try runCarewatch(["restore", work.appendingPathComponent("nope.json").path, "--data-dir", target.path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("nope.json: No such file or directory"), missing.stderr)

        // A directory of someone else's files is not a data directory: refused, even with --replace.
        let other = work.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: other.appendingPathComponent("notes.txt"))
        try Data(#"{"councils":[\#(council)]}"#.utf8).write(to: work.appendingPathComponent("good.json"))
        let foreign = try runCarewatch(["restore", "--replace", work.appendingPathComponent("good.json").path, "--data-dir", other.path])
        XCTAssertEqual(foreign.status, 1, "\(foreign)")
        XCTAssertTrue(foreign.stderr.contains("notes.txt"), foreign.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: other.path), ["notes.txt"])
    }
}
