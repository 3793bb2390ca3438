import Foundation
import TestFixtures
import XCTest

/// Rules about the code itself that the compiler cannot check: which layer owns which words,
/// one encoder for one job, and no declaration left without a use.
final class SourceRulesTests: XCTestCase {
    /// Every Swift file under `Sources/` (or one module's folder), path → text without comments.
    private func sources(_ folder: String = "") throws -> [String: String] {
        let root = RepositoryData.packageRoot + "/Sources/" + folder
        var files: [String: String] = [:]
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: root))
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let path = root + (root.hasSuffix("/") ? "" : "/") + relative
            files[String(path.dropFirst(RepositoryData.packageRoot.count + 1))] = Self.withoutComments(try String(contentsOfFile: path, encoding: .utf8))
        }
        XCTAssertFalse(files.isEmpty, "no sources under \(root)")
        return files
    }

    private func tests() throws -> [String: String] {
        let root = RepositoryData.packageRoot + "/Tests"
        var files: [String: String] = [:]
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: root))
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            files["Tests/" + relative] = Self.withoutComments(try String(contentsOfFile: root + "/" + relative, encoding: .utf8))
        }
        return files
    }

    /// Drops `//` comments (outside string literals) so that prose may name anything.
    static func withoutComments(_ text: String) -> String {
        var out = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var inString = false
            var previous: Character = " "
            var cut = line.endIndex
            var index = line.startIndex
            while index < line.endIndex {
                let character = line[index]
                if character == "\"" && previous != "\\" { inString.toggle() }
                if !inString, character == "/", previous == "/" {
                    cut = line.index(before: index)
                    break
                }
                previous = character == "\\" && previous == "\\" ? " " : character
                index = line.index(after: index)
            }
            out += line[..<cut] + "\n"
        }
        return out
    }

    /// The contents of the single-line string literals in `text`.
    static func stringLiterals(_ text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #""((?:[^"\\\n]|\\.)*)""#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } }
    }

    func testCoreSpeaksNeitherHTTPNorTheCommandLine() throws {
        // HTTP media types and headers belong to the API layer; flags, variables and commands
        // to the command line. The core names neither in anything it says.
        let foreign = try NSRegularExpression(pattern: #"Content-Type|text/csv|application/|(^|[^-])--[a-z]|CAREWATCH_|carewatch (serve|import|export|restore|check|healthcheck)\b|HTTP|\b[45]\d\d\b"#)
        var found: [String] = []
        for (path, text) in try sources("CarewatchCore") {
            for literal in Self.stringLiterals(text) {
                let range = NSRange(literal.startIndex..., in: literal)
                if foreign.firstMatch(in: literal, range: range) != nil { found.append("\(path): \"\(literal)\"") }
            }
        }
        XCTAssertEqual(found, [], "CarewatchCore says what only the API or the command line should say")
    }

    func testOneHexEncoder() throws {
        var found: [String] = []
        for (path, text) in try sources() where !path.hasPrefix("Sources/HexEncoding/") {
            for marker in ["0123456789abcdef", "0123456789ABCDEF"] where text.contains(marker) {
                found.append("\(path): \(marker)")
            }
            // Formatting with the standard library (reading hex, `UInt32(text, radix: 16)`, is not encoding).
            if text.range(of: #"String\([^()]*(\([^()]*\))?[^()]*radix: 16"#, options: .regularExpression) != nil {
                found.append("\(path): String(…, radix: 16)")
            }
        }
        XCTAssertEqual(found, [], "hex digits are spelt by HexEncoding's Hex alone")
    }

    /// A function or property of the application's own modules that nothing names is dead
    /// code (the engine is a library product with a public surface of its own, so it is left out).
    func testEveryDeclarationIsUsed() throws {
        let all = try sources().merging(try tests()) { first, _ in first }
        var counts: [Substring: Int] = [:]
        let identifier = try NSRegularExpression(pattern: #"[A-Za-z_][A-Za-z0-9_]*"#)
        for text in all.values {
            let range = NSRange(text.startIndex..., in: text)
            for match in identifier.matches(in: text, range: range) {
                counts[text[Range(match.range, in: text)!], default: 0] += 1
            }
        }
        let declaration = try NSRegularExpression(pattern: #"\b(?:func|var|let)\s+([A-Za-z_][A-Za-z0-9_]*)"#)
        var unused: [String] = []
        for module in ["CarewatchCore", "CarewatchAPI", "carewatch"] {
            for (path, text) in try sources(module) {
                let range = NSRange(text.startIndex..., in: text)
                for match in declaration.matches(in: text, range: range) {
                    let name = text[Range(match.range(at: 1), in: text)!]
                    if counts[name, default: 0] <= 1 { unused.append("\(path): \(name)") }
                }
            }
        }
        XCTAssertEqual(unused.sorted(), [], "declared and never used")
    }
}
