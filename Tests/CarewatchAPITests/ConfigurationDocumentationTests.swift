import Foundation
import XCTest
@testable import CarewatchAPI

/// The README's configuration table is what operators read before they run anything; it
/// must name every flag with its variable and default exactly as the parser takes them.
final class ConfigurationDocumentationTests: XCTestCase {
    private func readme() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    }

    func testREADMETableHasARowForEveryOption() throws {
        let rows = try readme().split(separator: "\n").filter { $0.hasPrefix("| `--") }
        for option in ConfigurationOption.all {
            let row = rows.first { $0.hasPrefix("| `\(option.flagSpelling)` |") }
            XCTAssertNotNil(row, "README has no row for \(option.flagSpelling)")
            guard let row else { continue }
            XCTAssertTrue(row.contains("`\(option.environmentVariable)`"), "README row of \(option.flagSpelling) names its variable")
            if !option.defaultValue.contains(" "), option.defaultValue != "none" {
                XCTAssertTrue(row.contains("`\(option.defaultValue)`"), "README row of \(option.flagSpelling) gives default \(option.defaultValue)")
            }
        }
    }
}
