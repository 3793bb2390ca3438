import Foundation
import XCTest

/// Containers configure carewatch through `CAREWATCH_*` variables and mounted key files, not
/// flags: the binary must serve, guard writes and answer CORS from those alone.
final class ConfigurationByEnvironmentTests: EndToEndTestCase {
    func testServeConfiguredOnlyByEnvironmentAndKeyFile() throws {
        let directory = try temporaryDirectory(self, "env")
        let files = try temporaryDirectory(self, "env-files")
        let keyFile = files.appendingPathComponent("keys")
        try Data("# editors\nfile-key-1\n\n  file-key-2  \n".utf8).write(to: keyFile)
        let port = try freePort()
        let server = try launch(directory, port: port, arguments: [], environment: [
            "CAREWATCH_HOST": "127.0.0.1", "CAREWATCH_PORT": String(port), "CAREWATCH_DATA_DIR": directory.path,
            "CAREWATCH_API_KEYS": "", "CAREWATCH_API_KEY_FILE": keyFile.path, "CAREWATCH_ACCESS_LOG": "false",
            "CAREWATCH_CORS_ORIGINS": "https://dash.example.org", "CAREWATCH_MAX_BODY_BYTES": "2K",
        ], flags: false)
        try server.waitUntilReady()
        let body = Array(#"{"caseload": 10.5}"#.utf8)
        for key in ["file-key-1", "file-key-2"] {
            let response = try server.client.request("PUT", "/v1/councils/sandwell/workforce/2016", headers: [
                ("Authorization", "Bearer \(key)"), ("Content-Type", "application/json"),
            ], body: body)
            XCTAssertTrue([200, 201].contains(response.status), "\(key): \(response)")
        }
        for key in ["# editors", "e2e-key", ""] {
            let response = try server.client.request("PUT", "/v1/councils/sandwell/workforce/2016", headers: [
                ("Authorization", "Bearer \(key)"), ("Content-Type", "application/json"),
            ], body: body)
            XCTAssertEqual(response.status, 401, "'\(key)': \(response)")
        }
        let preflight = try server.client.request("OPTIONS", "/v1/councils", headers: [
            ("Origin", "https://dash.example.org"), ("Access-Control-Request-Method", "POST"),
        ])
        XCTAssertEqual(preflight.header("Access-Control-Allow-Origin"), "https://dash.example.org", "\(preflight)")
        let big = try server.client.request("PUT", "/v1/councils/sandwell/workforce/2016", headers: [
            ("Authorization", "Bearer file-key-1"), ("Content-Type", "application/json"),
        ], body: Array(("{\"source\": \"" + String(repeating: "x", count: 3000) + "\"}").utf8))
        XCTAssertEqual(big.status, 413, "CAREWATCH_MAX_BODY_BYTES=2K")
        XCTAssertFalse(server.stderr.contains("file-key-1"), "keys never reach the log")
        XCTAssertFalse(server.stdout.contains("file-key-1"), "keys never reach the log")
        XCTAssertEqual(server.terminate(), 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("LOCK").path), "CAREWATCH_DATA_DIR was used")
    }

    func testBadVariableIsAUsageError() throws {
        let result = try runCarewatch(["serve"], environment: ["CAREWATCH_PORT": "eighty"])
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("CAREWATCH_PORT"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1)
    }
}
