import XCTest
@testable import CarewatchAPI

/// The command line is the operator's interface: these pin down which command each
/// invocation means, that flags beat variables, and that mistakes are refused in one line.
final class ConfigurationParserTests: XCTestCase {
    private func parse(_ arguments: [String], _ environment: [String: String] = [:]) throws -> Command {
        try CommandLineParser.parse(arguments: arguments, environment: environment)
    }

    private func serveConfiguration(_ arguments: [String], _ environment: [String: String] = [:]) throws -> CarewatchConfiguration {
        guard case .serve(let configuration) = try parse(arguments, environment) else {
            XCTFail("expected serve for \(arguments)")
            return CarewatchConfiguration()
        }
        return configuration
    }

    private func usageError(_ arguments: [String], _ environment: [String: String] = [:],
                            file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let command = try CommandLineParser.parse(arguments: arguments, environment: environment)
            XCTFail("expected a usage error, got \(command)", file: file, line: line)
            return ""
        } catch {
            XCTAssertFalse(error.message.contains("\n"), "usage errors are one line", file: file, line: line)
            return error.message
        }
    }

    func testNoArgumentsServesWithDefaults() throws {
        let configuration = try serveConfiguration([])
        XCTAssertEqual(configuration, CarewatchConfiguration())
        XCTAssertEqual(configuration.host, "0.0.0.0")
        XCTAssertEqual(configuration.port, 8080)
        XCTAssertEqual(configuration.maxBodyBytes, 1 << 20)
        XCTAssertEqual(configuration.apiKeys, [])
        XCTAssertEqual(try serveConfiguration(["serve"]), CarewatchConfiguration())
    }

    func testFlagsWithSpaceAndWithEquals() throws {
        let spaced = try serveConfiguration(["--port", "9090", "--host", "127.0.0.1", "--data-dir", "/tmp/cw"])
        let joined = try serveConfiguration(["serve", "--port=9090", "--host=127.0.0.1", "--data-dir=/tmp/cw"])
        XCTAssertEqual(spaced, joined)
        XCTAssertEqual(spaced.port, 9090)
        XCTAssertEqual(spaced.host, "127.0.0.1")
        XCTAssertEqual(spaced.dataDirectory, "/tmp/cw")
    }

    func testEveryOptionIsSettableByFlagAndByVariable() throws {
        // A value that differs from every default, per option.
        let samples: [String: String] = [
            "host": "::1", "port": "9091", "data-dir": "/srv/cw", "seed": "/fixture.json",
            "api-keys": "k1,k2", "api-key-file": "/run/secrets/keys", "cors-origins": "https://dash.example.org",
            "threads": "3", "max-connections": "77", "max-body-bytes": "2MiB", "max-import-body-bytes": "128MiB",
            "max-header-bytes": "32KiB", "header-timeout": "4s", "body-timeout": "5", "idle-timeout": "6s",
            "write-timeout": "7s", "response-timeout": "12s", "min-data-rate": "0", "drain-timeout": "8s", "snapshot-every": "9", "snapshot-interval": "11s",
            "log-level": "debug", "access-log": "false", "recover": "true",
            "history-retention": "5000", "stream-heartbeat": "2s", "stream-max-lag": "9s",
        ]
        XCTAssertEqual(Set(samples.keys), Set(ConfigurationOption.options(for: .serve).map(\.flag)),
                       "every serve option has a sample here")
        for option in ConfigurationOption.options(for: .serve) {
            let value = try XCTUnwrap(samples[option.flag])
            let byFlag = try serveConfiguration(["--\(option.flag)", value])
            let byVariable = try serveConfiguration([], [option.environmentVariable: value])
            XCTAssertNotEqual(byFlag, CarewatchConfiguration(), "--\(option.flag) changed nothing")
            XCTAssertEqual(byFlag, byVariable, "--\(option.flag) and \(option.environmentVariable) disagree")
        }
    }

    func testParsedValues() throws {
        let configuration = try serveConfiguration([
            "--api-keys", " k1 , k2,,", "--cors-origins", "https://a.example, http://localhost:3000",
            "--max-body-bytes", "512K", "--drain-timeout", "1500ms", "--snapshot-interval", "5m",
            "--log-level", "WARN", "--access-log", "off", "--threads", "2",
        ])
        XCTAssertEqual(configuration.apiKeys, ["k1", "k2"])
        XCTAssertEqual(configuration.corsOrigins, ["https://a.example", "http://localhost:3000"])
        XCTAssertEqual(configuration.maxBodyBytes, 512 * 1024)
        XCTAssertEqual(configuration.drainTimeout, 1.5, accuracy: 1e-9)
        XCTAssertEqual(configuration.snapshotInterval, 300, accuracy: 1e-9)
        XCTAssertEqual(configuration.logLevel, .warning)
        XCTAssertFalse(configuration.accessLog)
        XCTAssertEqual(configuration.threads, 2)
    }

    func testFlagWinsOverVariable() throws {
        let environment = ["CAREWATCH_PORT": "7000", "CAREWATCH_HOST": "::"]
        let configuration = try serveConfiguration(["--port", "7001"], environment)
        XCTAssertEqual(configuration.port, 7001)
        XCTAssertEqual(configuration.host, "::", "a variable without a flag still applies")
    }

    func testLastFlagWins() throws {
        XCTAssertEqual(try serveConfiguration(["--port=1", "--port=2"]).port, 2)
    }

    func testEmptyVariableMeansUnset() throws {
        XCTAssertEqual(try serveConfiguration([], ["CAREWATCH_PORT": "", "CAREWATCH_API_KEYS": ""]), CarewatchConfiguration())
    }

    func testVariablesOutsideTheSchemeAreIgnored() throws {
        XCTAssertEqual(try serveConfiguration([], ["PORT": "1", "CAREWATCH_NOT_A_SETTING": "x"]), CarewatchConfiguration())
    }

    func testSeedFlagForTheBenchmarkKit() throws {
        let configuration = try serveConfiguration(["--port", "18080", "--seed", "/kit/fixture/councils.json", "--data-dir", "/tmp/d"])
        XCTAssertEqual(configuration.seedFile, "/kit/fixture/councils.json")
        XCTAssertEqual(configuration.port, 18080)
    }

    func testUnknownFlagIsRefused() {
        XCTAssertEqual(usageError(["--prot", "8080"]),
                       "carewatch serve: unknown option '--prot' (see carewatch serve --help)")
        XCTAssertEqual(usageError(["--prot=8080"]),
                       "carewatch serve: unknown option '--prot' (see carewatch serve --help)")
        XCTAssertEqual(usageError(["-p", "8080"]),
                       "carewatch serve: unknown option '-p' (see carewatch serve --help)")
    }

    func testOptionOfAnotherCommandIsRefused() {
        XCTAssertTrue(usageError(["healthcheck", "--data-dir", "/x"]).contains("unknown option '--data-dir'"))
        XCTAssertTrue(usageError(["export", "--cors-origins", "*"]).contains("unknown option '--cors-origins'"))
    }

    func testBadValuesAreRefusedNamingTheirSource() {
        XCTAssertEqual(usageError(["--port", "http"]), "carewatch serve: --port 'http' is not a port (0-65535)")
        XCTAssertEqual(usageError(["--port=70000"]), "carewatch serve: --port '70000' is not a port (0-65535)")
        XCTAssertEqual(usageError([], ["CAREWATCH_PORT": "-1"]), "carewatch serve: CAREWATCH_PORT='-1' is not a port (0-65535)")
        XCTAssertEqual(usageError(["--host", "1.2.3"]),
                       "carewatch serve: --host '1.2.3' is not an IP address (e.g. 0.0.0.0, ::, 127.0.0.1, ::1), * or a host name (e.g. localhost)")
        XCTAssertTrue(usageError(["--max-body-bytes", "0"]).contains("is not a size"))
        XCTAssertTrue(usageError(["--max-body-bytes", "1PB"]).contains("is not a size"))
        XCTAssertTrue(usageError(["--idle-timeout", "0"]).contains("is not a duration of 1s to 1 day"))
        // Every duration in the option table has a floor a typo cannot slip under.
        XCTAssertEqual(usageError(["--stream-heartbeat", "1ms"]),
                       "carewatch serve: --stream-heartbeat '1ms' is not a duration of 1s to 1 day (e.g. 10, 2.5s, 500ms, 5m)")
        XCTAssertEqual(usageError([], ["CAREWATCH_STREAM_HEARTBEAT": "0.2"]),
                       "carewatch serve: CAREWATCH_STREAM_HEARTBEAT='0.2' is not a duration of 1s to 1 day (e.g. 10, 2.5s, 500ms, 5m)")
        for flag in ["header-timeout", "body-timeout", "idle-timeout", "write-timeout", "response-timeout", "stream-max-lag", "snapshot-interval"] {
            XCTAssertTrue(usageError(["--\(flag)", "5ms"]).contains("is not a duration of"), flag)
        }
        XCTAssertTrue(usageError(["--snapshot-interval", "5ms"]).contains("0, or 1s to 1 day"))
        XCTAssertTrue(usageError(["--header-timeout", "soon"]).contains("is not a duration"))
        XCTAssertTrue(usageError(["--max-connections", "0"]).contains("is not a whole number from 1"))
        XCTAssertTrue(usageError(["--log-level", "loud"]).contains("is not a log level"))
        XCTAssertTrue(usageError(["--access-log", "maybe"]).contains("is not a boolean"))
        XCTAssertTrue(usageError(["--cors-origins", "dash.example.org"]).contains("is not a list of origins"))
        XCTAssertTrue(usageError([], ["CAREWATCH_API_KEYS": "good,has space"]).hasPrefix("carewatch serve: CAREWATCH_API_KEYS="))
    }

    func testAVariableOfAnotherCommandDoesNotBreakIt() throws {
        // The container sets CAREWATCH_* for serve; healthcheck must not trip over serve-only values.
        let command = try parse(["healthcheck"], ["CAREWATCH_PORT": "9000", "CAREWATCH_CORS_ORIGINS": "not an origin"])
        XCTAssertEqual(command, .healthcheck(HealthcheckTarget(host: "127.0.0.1", port: 9000)))
    }

    func testMissingValue() {
        XCTAssertEqual(usageError(["--port"]), "carewatch serve: option '--port' needs a value")
    }

    func testUnknownCommand() {
        XCTAssertEqual(usageError(["sever"]),
                       "carewatch: unknown command 'sever' (commands: serve, import, export, restore, check, healthcheck; see carewatch --help)")
        XCTAssertTrue(usageError(["help", "nope"]).contains("unknown command 'nope'"))
    }

    func testRestoreTakesAFileAndAReplaceSwitch() throws {
        var configuration = CarewatchConfiguration()
        configuration.dataDirectory = "/srv/new"
        XCTAssertEqual(try parse(["restore", "backup.json", "--data-dir", "/srv/new"], [:]),
                       .restore(path: "backup.json", replace: false, configuration: configuration))
        XCTAssertEqual(try parse(["restore", "--replace", "backup.json", "--data-dir=/srv/new"], [:]),
                       .restore(path: "backup.json", replace: true, configuration: configuration))
        XCTAssertEqual(try parse(["restore", "-", "--replace=false", "--data-dir", "/srv/new"], [:]),
                       .restore(path: "-", replace: false, configuration: configuration))
        XCTAssertEqual(usageError(["restore"]), "carewatch restore: missing FILE (a carewatch export document, or - for standard input)")
        XCTAssertEqual(usageError(["restore", "b.json", "--replace=maybe"]),
                       "carewatch restore: --replace 'maybe' is not a boolean (true/false, on/off, yes/no, 1/0)")
        // A switch of restore only, with no environment variable: a replace is asked for each time.
        XCTAssertTrue(usageError(["import", "b.json", "--replace"]).contains("unknown option '--replace'"))
        XCTAssertEqual(try parse(["restore", "b.json"], ["CAREWATCH_REPLACE": "true"]),
                       .restore(path: "b.json", replace: false, configuration: CarewatchConfiguration()))
    }

    func testUnexpectedArguments() {
        XCTAssertEqual(usageError(["serve", "extra"]), "carewatch serve: unexpected argument 'extra'")
        XCTAssertEqual(usageError(["export", "a.json", "b.json"]), "carewatch export: unexpected argument 'b.json'")
        XCTAssertEqual(usageError(["healthcheck", "x"]), "carewatch healthcheck: unexpected argument 'x'")
    }

    func testImport() throws {
        let command = try parse(["import", "councils.csv", "--data-dir", "/d"], ["CAREWATCH_DATA_DIR": "/ignored"])
        var expected = CarewatchConfiguration()
        expected.dataDirectory = "/d"
        XCTAssertEqual(command, .importFile(path: "councils.csv", configuration: expected))
        XCTAssertEqual(try parse(["import", "-"]), .importFile(path: "-", configuration: CarewatchConfiguration()))
        XCTAssertEqual(try parse(["import", "--", "--odd-name.json"]),
                       .importFile(path: "--odd-name.json", configuration: CarewatchConfiguration()))
        XCTAssertTrue(usageError(["import"]).hasPrefix("carewatch import: missing FILE"))
    }

    func testExport() throws {
        XCTAssertEqual(try parse(["export"]), .export(path: nil, configuration: CarewatchConfiguration()))
        XCTAssertEqual(try parse(["export", "-"]), .export(path: nil, configuration: CarewatchConfiguration()))
        XCTAssertEqual(try parse(["export", "out.json"]), .export(path: "out.json", configuration: CarewatchConfiguration()))
    }

    func testCheckTakesTheDirectoryAsArgumentOrSetting() throws {
        guard case .check(let byArgument) = try parse(["check", "/var/lib/cw"], ["CAREWATCH_DATA_DIR": "/env"]) else {
            return XCTFail("expected check")
        }
        XCTAssertEqual(byArgument.dataDirectory, "/var/lib/cw")
        guard case .check(let bySetting) = try parse(["check"], ["CAREWATCH_DATA_DIR": "/env"]) else {
            return XCTFail("expected check")
        }
        XCTAssertEqual(bySetting.dataDirectory, "/env")
    }

    func testHealthcheckAsksLoopbackForAWildcardHost() throws {
        XCTAssertEqual(try parse(["healthcheck"]), .healthcheck(HealthcheckTarget(host: "127.0.0.1", port: 8080)))
        XCTAssertEqual(try parse(["healthcheck"], ["CAREWATCH_HOST": "::", "CAREWATCH_PORT": "81"]),
                       .healthcheck(HealthcheckTarget(host: "::1", port: 81)))
        XCTAssertEqual(try parse(["healthcheck", "--host", "127.0.0.2", "--timeout", "2s"]),
                       .healthcheck(HealthcheckTarget(host: "127.0.0.2", port: 8080, path: "/readyz", timeout: 2)))
        XCTAssertEqual(try parse(["healthcheck"], ["CAREWATCH_HEALTHCHECK_TIMEOUT": "1"]),
                       .healthcheck(HealthcheckTarget(host: "127.0.0.1", port: 8080, timeout: 1)))
        XCTAssertTrue(usageError(["healthcheck", "--timeout", "0"]).contains("is not a duration"))
    }

    func testVersion() throws {
        for spelling in ["--version", "-V", "version"] {
            XCTAssertEqual(try parse([spelling]), .version("carewatch \(CarewatchVersion.number)"))
        }
        XCTAssertEqual(try parse(["serve", "--version"]), .version("carewatch \(CarewatchVersion.number)"))
    }

    func testHelpForEachCommand() throws {
        XCTAssertEqual(try parse(["--help"]), .help(HelpText.overview))
        XCTAssertEqual(try parse(["-h"]), .help(HelpText.overview))
        XCTAssertEqual(try parse(["help"]), .help(HelpText.overview))
        for subcommand in Subcommand.allCases {
            let expected = Command.help(HelpText.text(for: subcommand))
            XCTAssertEqual(try parse([subcommand.rawValue, "--help"]), expected)
            XCTAssertEqual(try parse(["help", subcommand.rawValue]), expected)
        }
        // Help wins over a mistake later on the line: someone asking for help gets it.
        XCTAssertEqual(try parse(["serve", "--help", "--prot", "1"]), .help(HelpText.text(for: .serve)))
    }
}
