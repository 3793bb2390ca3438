import Foundation
import HTTPTestClient
import XCTest
import CarewatchCore
@testable import CarewatchAPI

/// A real server on 127.0.0.1 with its own temporary data directory, loaded with the
/// embedded default data (153 councils, 778 inspections, 1,325 workforce rows).
final class TestServer {
    static let apiKey = "test-key"
    /// The instant every test server's clock reads: "today" is 2026-11-23, so the current
    /// workforce reporting year is 2026 and 2027 is in the future, whatever day the suite runs.
    static let now = Timestamp(rfc3339: "2026-11-23T11:02:18Z")!
    let service: CarewatchService

    /// What every test server runs with: loopback, any free port, the test key, no access
    /// log, the fixed clock.
    static func configuration(directory: URL) -> CarewatchConfiguration {
        var configuration = CarewatchConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.dataDirectory = directory.path
        configuration.apiKeys = [apiKey]
        configuration.accessLog = false
        configuration.logLevel = .warning
        configuration.clock = .fixed(now)
        return configuration
    }
    let directory: URL
    let client: RawHTTPClient
    private var stopped = false

    var port: Int { service.port }

    /// - Parameter directory: reuse a data directory (a restart); by default a fresh one.
    init(directory: URL? = nil, configure: (inout CarewatchConfiguration) -> Void = { _ in }) throws {
        Log.setLevel(.warning)
        let directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("carewatch-api-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = TestServer.configuration(directory: directory)
        configure(&configuration)
        self.directory = directory
        service = try CarewatchService.start(configuration)
        client = RawHTTPClient(port: service.port)
    }

    /// Stops the server, keeping the data directory (for restart tests).
    func stop() {
        guard !stopped else { return }
        stopped = true
        service.stop(timeout: 2)
    }

    func removeDirectory() {
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Requests

    func get(_ target: String, headers: [(String, String)] = []) throws -> RawHTTPResponse {
        try client.request("GET", target, headers: headers)
    }

    func head(_ target: String, headers: [(String, String)] = []) throws -> RawHTTPResponse {
        try client.request("HEAD", target, headers: headers)
    }

    /// A write with the test key and a JSON body (`Any` JSON value, or raw bytes via `raw`).
    func write(_ method: String, _ target: String, json: Any? = nil, raw: [UInt8]? = nil,
               contentType: String? = "application/json", headers: [(String, String)] = [],
               authorized: Bool = true) throws -> RawHTTPResponse {
        var all = headers
        if authorized { all.append(("Authorization", "Bearer \(TestServer.apiKey)")) }
        let body = raw ?? json.map(jsonBytes)
        if body != nil, let contentType { all.append(("Content-Type", contentType)) }
        return try client.request(method, target, headers: all, body: body ?? (method == "DELETE" ? nil : []))
    }

    func post(_ target: String, _ json: Any, headers: [(String, String)] = []) throws -> RawHTTPResponse {
        try write("POST", target, json: json, headers: headers)
    }

    func put(_ target: String, _ json: Any, headers: [(String, String)] = []) throws -> RawHTTPResponse {
        try write("PUT", target, json: json, headers: headers)
    }

    func patch(_ target: String, _ json: Any, contentType: String = "application/merge-patch+json", headers: [(String, String)] = []) throws -> RawHTTPResponse {
        try write("PATCH", target, json: json, contentType: contentType, headers: headers)
    }

    func delete(_ target: String, headers: [(String, String)] = []) throws -> RawHTTPResponse {
        try write("DELETE", target, headers: headers)
    }

    /// Every item of a list, following `next_cursor` to the end.
    func all(_ path: String, limit: Int = 500) throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String?
        let separator = path.contains("?") ? "&" : "?"
        repeat {
            var target = "\(path)\(separator)limit=\(limit)"
            if let cursor { target += "&cursor=\(percentEncoded(cursor))" }
            let response = try get(target)
            guard response.status == 200 else { throw RawHTTPError.malformed("GET \(target) → \(response)") }
            items += response.items
            cursor = response.object["next_cursor"] as? String
        } while cursor != nil
        return items
    }

    /// `total` of a list.
    func total(_ path: String) throws -> Int {
        let separator = path.contains("?") ? "&" : "?"
        let response = try get("\(path)\(separator)limit=1")
        guard response.status == 200, let total = response.object["total"] as? Int else {
            throw RawHTTPError.malformed("GET \(path) → \(response)")
        }
        return total
    }

    func export() throws -> [UInt8] {
        let response = try get("/v1/export")
        guard response.status == 200 else { throw RawHTTPError.malformed("export → \(response)") }
        return response.body
    }
}

func percentEncoded(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

/// One fresh server per test: tests write, so none may see another's changes.
class APITestCase: XCTestCase {
    var server: TestServer!

    /// Subclasses change the server's configuration for all their tests here.
    func configure(_ configuration: inout CarewatchConfiguration) {}

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = try TestServer { self.configure(&$0) }
    }

    override func tearDown() {
        server?.stop()
        server?.removeDirectory()
        server = nil
        super.tearDown()
    }

    /// Starts another server (own directory) for one test, stopped and removed at tearDown.
    func extraServer(directory: URL? = nil, configure: (inout CarewatchConfiguration) -> Void = { _ in }) throws -> TestServer {
        let extra = try TestServer(directory: directory, configure: configure)
        addTeardownBlock {
            extra.stop()
            if directory == nil { extra.removeDirectory() }
        }
        return extra
    }

    // MARK: Assertions

    func assertStatus(_ response: RawHTTPResponse, _ status: Int, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, status, "\(message) \(response)", file: file, line: line)
    }

    /// Every error is RFC 9457 problem+json with type, title and the status repeated.
    @discardableResult
    func assertProblem(_ response: RawHTTPResponse, _ status: Int, file: StaticString = #filePath, line: UInt = #line) -> [String: Any] {
        XCTAssertEqual(response.status, status, "\(response)", file: file, line: line)
        XCTAssertEqual(response.mediaType, "application/problem+json", "\(response)", file: file, line: line)
        let problem = response.object
        XCTAssertNotNil(problem["type"] as? String, "problem has a type: \(response)", file: file, line: line)
        XCTAssertNotNil(problem["title"] as? String, "problem has a title: \(response)", file: file, line: line)
        XCTAssertEqual(problem["status"] as? Int, status, "problem repeats the status: \(response)", file: file, line: line)
        return problem
    }

    /// A 422 whose `errors` array names `field` (exactly, or as the last path component).
    func assertInvalid(_ response: RawHTTPResponse, field: String, file: StaticString = #filePath, line: UInt = #line) {
        let problem = assertProblem(response, 422, file: file, line: line)
        let errors = problem["errors"] as? [[String: Any]] ?? []
        XCTAssertFalse(errors.isEmpty, "422 carries an errors array: \(response)", file: file, line: line)
        let fields = errors.compactMap { $0["field"] as? String }
        XCTAssertTrue(fields.contains { $0 == field || $0.hasSuffix("." + field) || $0.hasSuffix(field) },
                      "errors name \(field): \(fields)", file: file, line: line)
    }
}

/// JSON null, or the member left out: both mean "unknown" in the contract.
func isNullOrAbsent(_ value: Any?) -> Bool {
    value == nil || value is NSNull
}
