import XCTest
@testable import CarewatchAPI

/// The value syntaxes operators type: sizes, durations, addresses, origins and keys.
final class ConfigurationValuesTests: XCTestCase {
    func testByteSizes() throws {
        XCTAssertEqual(try ConfigurationValues.byteSize("1048576"), 1_048_576)
        XCTAssertEqual(try ConfigurationValues.byteSize("1MiB"), 1_048_576)
        XCTAssertEqual(try ConfigurationValues.byteSize("1m"), 1_048_576)
        XCTAssertEqual(try ConfigurationValues.byteSize("16KiB"), 16_384)
        XCTAssertEqual(try ConfigurationValues.byteSize("2G"), 2 << 30)
        XCTAssertEqual(try ConfigurationValues.byteSize("100b"), 100)
        for bad in ["", "MiB", "1.5M", "-1", "0", "1 M", "1MB", "2048G", "99999999999999"] {
            XCTAssertThrowsError(try ConfigurationValues.byteSize(bad), bad)
        }
    }

    func testDurations() throws {
        XCTAssertEqual(try ConfigurationValues.duration("10", .anyAboveZero), 10)
        XCTAssertEqual(try ConfigurationValues.duration("2.5", .anyAboveZero), 2.5)
        XCTAssertEqual(try ConfigurationValues.duration("10s", .anyAboveZero), 10)
        XCTAssertEqual(try ConfigurationValues.duration("250ms", .anyAboveZero), 0.25, accuracy: 1e-12)
        XCTAssertEqual(try ConfigurationValues.duration("5m", .anyAboveZero), 300)
        XCTAssertEqual(try ConfigurationValues.duration("0", .anyFromZero), 0)
        for bad in ["", "s", "0", "-1", "1h", ".5", "5.", "1e3", "inf", "nan", "90000"] {
            XCTAssertThrowsError(try ConfigurationValues.duration(bad, .anyAboveZero), bad)
        }
        // A floor of 1 s: 1ms or 999ms would flood (heartbeats) or time everyone out.
        XCTAssertEqual(try ConfigurationValues.duration("1s", .oneSecond), 1)
        XCTAssertEqual(try ConfigurationValues.duration("1000ms", .oneSecond), 1)
        XCTAssertEqual(try ConfigurationValues.duration("0", .oneSecondOrOff), 0)
        for bad in ["1ms", "999ms", "0.5", "0", "90000"] {
            XCTAssertThrowsError(try ConfigurationValues.duration(bad, .oneSecond), bad)
        }
        XCTAssertThrowsError(try ConfigurationValues.duration("10ms", .oneSecondOrOff))
        XCTAssertEqual(ConfigurationValues.DurationBounds.oneSecond.text, "1s to 1 day")
        XCTAssertEqual(ConfigurationValues.DurationBounds.oneSecondOrOff.text, "0, or 1s to 1 day")
    }

    func testHosts() throws {
        for good in ["0.0.0.0", "::", "*", "127.0.0.1", "::1", "localhost", "192.168.1.20", "fe80::1", "example.org", "api-1.internal"] {
            XCTAssertEqual(try ConfigurationValues.host(good), good)
        }
        XCTAssertEqual(try ConfigurationValues.host("[::1]"), "::1")
        XCTAssertEqual(try ConfigurationValues.host("LocalHost"), "localhost")
        for bad in ["", "256.0.0.1", "1.2.3", "::g", " 127.0.0.1", "-a.example", "a..b", "under_score", "a b", "[localhost]",
                    String(repeating: "a", count: 64) + ".example"] {
            XCTAssertThrowsError(try ConfigurationValues.host(bad), bad)
        }
    }

    func testPorts() throws {
        XCTAssertEqual(try ConfigurationValues.port("0"), 0)
        XCTAssertEqual(try ConfigurationValues.port("65535"), 65_535)
        for bad in ["", "65536", "-1", "+80", "80 ", "0x50", "８０"] {
            XCTAssertThrowsError(try ConfigurationValues.port(bad), bad)
        }
    }

    func testOrigins() {
        for good in ["*", "https://dash.example.org", "http://localhost:3000", "http://[::1]:8080", "https://x.example:443"] {
            XCTAssertTrue(ConfigurationValues.isValidOrigin(good), good)
        }
        for bad in ["dash.example.org", "https://", "https://a.example/", "https://a.example/path",
                    "https://a.example:", "https://a.example:http", "https://user@a.example", "://a.example"] {
            XCTAssertFalse(ConfigurationValues.isValidOrigin(bad), bad)
        }
    }

    func testAPIKeys() throws {
        XCTAssertEqual(try ConfigurationValues.apiKeys("a1,b2"), ["a1", "b2"])
        XCTAssertEqual(try ConfigurationValues.apiKeys("c2VjcmV0+/=="), ["c2VjcmV0+/=="])
        XCTAssertThrowsError(try ConfigurationValues.apiKeys("tab\there"))
        XCTAssertThrowsError(try ConfigurationValues.apiKeys("café"))
    }

    func testAPIKeyFileIsReadAndMergedWithTheList() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carewatch-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("keys")
        try "# dashboard editors\nalpha\r\n\n  beta  \nshared\n".write(to: file, atomically: true, encoding: .utf8)

        var configuration = CarewatchConfiguration()
        configuration.apiKeys = ["shared", "env-key"]
        configuration.apiKeyFile = file.path
        XCTAssertEqual(try configuration.resolvedAPIKeys(), ["shared", "env-key", "alpha", "beta"])

        try "ok\nnot ok\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try configuration.resolvedAPIKeys()) { error in
            XCTAssertTrue((error as? UsageError)?.message.contains("line 2 of the API key file") ?? false, "\(error)")
        }

        configuration.apiKeyFile = directory.appendingPathComponent("missing").path
        XCTAssertThrowsError(try configuration.resolvedAPIKeys()) { error in
            XCTAssertTrue((error as? UsageError)?.message.contains("cannot read the API key file") ?? false, "\(error)")
        }
    }

    func testDescriptionNeverShowsKeys() {
        var configuration = CarewatchConfiguration()
        configuration.apiKeys = ["s3cret-key-1", "s3cret-key-2"]
        XCTAssertFalse(configuration.description.contains("s3cret"))
        XCTAssertTrue(configuration.description.contains("api_keys=2"))
    }
}
