import Foundation
import XCTest
@testable import CarewatchAPI

/// Help is the documentation operators actually read, so it must list every option a
/// command accepts, with the variable and default that go with it.
final class ConfigurationHelpTests: XCTestCase {
    func testEachCommandsHelpListsEachOfItsOptionsWithVariableAndDefault() {
        for subcommand in Subcommand.allCases {
            let text = HelpText.text(for: subcommand)
            XCTAssertTrue(text.hasPrefix("Usage: carewatch"), "\(subcommand)")
            for option in ConfigurationOption.options(for: subcommand) {
                XCTAssertTrue(text.contains("\(option.flagSpelling) \(option.valueName)"), "\(subcommand): \(option.flag)")
                XCTAssertTrue(text.contains("env \(option.environmentVariable), default \(option.defaultValue)"),
                              "\(subcommand): \(option.flag)")
            }
            for option in ConfigurationOption.all where !option.subcommands.contains(subcommand) {
                XCTAssertFalse(text.contains("\(option.flagSpelling) "), "\(subcommand) does not take \(option.flag)")
            }
        }
    }

    /// Every duration says the range it takes, beside the option (the wrapped summary is
    /// joined back into one line before looking).
    func testDurationsSayTheirBounds() {
        let text = HelpText.text(for: .serve).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        for (flag, bounds) in [("stream-heartbeat", "1s to 1 day"), ("stream-max-lag", "1s to 1 day"), ("header-timeout", "1s to 1 day"),
                               ("snapshot-interval", "0, or 1s to 1 day"), ("drain-timeout", "0 to 1 day")] {
            let start = text.range(of: "--\(flag) DURATION")
            XCTAssertNotNil(start, flag)
            guard let start, let end = text[start.upperBound...].range(of: "env CAREWATCH_") else { continue }
            XCTAssertTrue(text[start.upperBound..<end.lowerBound].contains(bounds), "\(flag): \(text[start.upperBound..<end.lowerBound])")
        }
    }

    func testHelpFitsATerminal() {
        for text in [HelpText.overview] + Subcommand.allCases.map(HelpText.text(for:)) {
            for line in text.split(separator: "\n") {
                XCTAssertLessThanOrEqual(line.count, HelpText.lineWidth, String(line))
            }
        }
    }

    /// Each command's help says what it does with the data directory: the commands that only
    /// read it do not promise to create it.
    func testTheDataDirectoryIsDescribedAsEachCommandUsesIt() {
        for subcommand in [Subcommand.serve, .import, .restore] {
            XCTAssertTrue(HelpText.text(for: subcommand).contains("created if missing"), "\(subcommand)")
        }
        for subcommand in [Subcommand.export, .check] {
            let text = HelpText.text(for: subcommand)
            XCTAssertFalse(text.contains("created if missing"), "\(subcommand)")
            XCTAssertTrue(text.contains("must exist"), "\(subcommand)")
        }
        XCTAssertFalse(HelpText.text(for: .import).contains("start even past"), "import does not start anything")
    }

    func testOverviewNamesEveryCommand() {
        for subcommand in Subcommand.allCases {
            XCTAssertTrue(HelpText.overview.contains("  \(subcommand.rawValue)"), "\(subcommand)")
        }
    }

    func testOptionTableIsConsistent() {
        let flags = ConfigurationOption.all.map(\.flag)
        XCTAssertEqual(flags.count, Set(flags).count, "flags are unique")
        for option in ConfigurationOption.all {
            XCTAssertEqual(option.environmentVariable,
                           "CAREWATCH_" + option.flag.uppercased().replacingOccurrences(of: "-", with: "_"),
                           "variables follow the flag names")
            XCTAssertFalse(option.subcommands.isEmpty)
        }
    }

    func testDocumentedDefaultsAreTheDefaults() throws {
        // Parsing each documented default (where it is a value) must give the built-in default.
        for option in ConfigurationOption.options(for: .serve) where !option.defaultValue.contains(" ") && option.defaultValue != "none" {
            guard case .serve(let configuration) = try CommandLineParser.parse(
                arguments: ["--\(option.flag)", option.defaultValue], environment: [:]) else {
                return XCTFail("expected serve")
            }
            XCTAssertEqual(configuration, CarewatchConfiguration(), "default of --\(option.flag)")
        }
    }
}
