import Foundation
import XCTest

/// Input built to break a parser must cost a 4xx, never the process: these run against the
/// real binary so that a crash (stack overflow, trap) shows as a dead server, not a dead test run.
final class HostileBodyTests: EndToEndTestCase {
    func testHostileBodiesAreRefusedAndTheServerStaysUp() throws {
        let directory = try temporaryDirectory(self, "hostile")
        let server = try start(directory)
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        let deepObject = String(repeating: "{\"a\":", count: 100_000) + "1" + String(repeating: "}", count: 100_000)
        let bodies: [(String, [UInt8])] = [
            ("deep array", Array(deep.utf8)),
            ("deep object", Array(deepObject.utf8)),
            ("huge exponent", Array(#"{"code": "E06000099", "la_code": 1e999999, "name": "x", "region": "London", "kind": "unitary"}"#.utf8)),
            ("invalid UTF-8", [0x7B, 0x22, 0x6E, 0x61, 0x6D, 0x65, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]),
            ("NUL in a string", Array("{\"name\":\"a\u{0}b\"}".utf8)),
            ("lone surrogate escape", Array(#"{"name": "\uD800"}"#.utf8)),
            ("trailing garbage", Array(#"{"name": "x"} {"#.utf8)),
            ("64-bit overflow", Array(#"{"code": "E06000099", "la_code": 99999999999999999999999, "name": "x", "region": "London", "kind": "unitary"}"#.utf8)),
        ]
        for (label, body) in bodies {
            for (method, target) in [("POST", "/v1/councils"), ("PATCH", "/v1/councils/sandwell"), ("POST", "/v1/import")] {
                let contentType = method == "PATCH" ? "application/merge-patch+json" : "application/json"
                let response = try? server.client.request(method, target, headers: authorized().filter { $0.0 != "Content-Type" } + [("Content-Type", contentType)], body: body)
                XCTAssertTrue(server.isRunning, "\(label) → \(method) \(target) killed the server: \(server.stderr.suffix(2000))")
                guard server.isRunning else { return }
                let status = response?.status ?? -1
                XCTAssertTrue((400..<500).contains(status), "\(label) → \(method) \(target): \(response.map { "\($0)" } ?? "no answer")")
            }
        }
        let deepQuery = try server.client.request("GET", "/v1/councils?q=" + String(repeating: "%25", count: 2000))
        XCTAssertEqual(deepQuery.status, 400, "q is at most 200 characters")
        XCTAssertEqual(try server.client.request("GET", "/v1/councils/sandwell").object["name"] as? String, "Sandwell", "nothing was changed")
        XCTAssertEqual(try server.client.request("GET", "/readyz").status, 200)
    }
}
