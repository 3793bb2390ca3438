import Foundation
import HTTPTestClient
import TestFixtures
import XCTest

/// The README's bulk example, as a stranger runs it from a fresh clone: every file it posts is
/// in the repository, and the answer it shows is the server's.
final class ReadmeImportExampleTests: APITestCase {
    private func readme() throws -> String {
        try String(contentsOfFile: RepositoryData.packageRoot + "/README.md", encoding: .utf8)
    }

    func testEveryPostedFileIsInTheRepository() throws {
        let files = try readme().components(separatedBy: "--data-binary @").dropFirst()
            .map { String($0.prefix { !$0.isWhitespace && $0 != "'" && $0 != "\"" }) }
        XCTAssertFalse(files.isEmpty, "the README posts a file")
        for file in files {
            XCTAssertTrue(FileManager.default.fileExists(atPath: RepositoryData.packageRoot + "/" + file),
                          "\(file), posted by the README from the clone's root, is in the repository")
        }
    }

    func testTheImportAnswerShownIsTheServersAnswer() throws {
        let text = try readme()
        let command = try XCTUnwrap(text.components(separatedBy: "\n").first { $0.contains("--data-binary @") }, "the README imports a file")
        let file = try XCTUnwrap(command.components(separatedBy: "--data-binary @").last?.split(separator: " ").first.map(String.init))
        let contentType = command.contains("text/csv") ? "text/csv" : "application/json"
        let answer = try server.write("POST", "/v1/import", raw: try RepositoryData.bytes(RepositoryData.packageRoot + "/" + file), contentType: contentType)
        assertStatus(answer, 200)

        // The README shows the answer on one line, the skipped list abridged by a comment.
        let shownLine = try XCTUnwrap(text.components(separatedBy: "\n").first { $0.hasPrefix("{\"format\":") }, "the README shows an import answer")
        let shownJSON = shownLine.replacingOccurrences(of: #"\s*/\*.*?\*/"#, with: "", options: .regularExpression)
        let shown = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(shownJSON.utf8)) as? [String: Any], shownJSON)
        let actual = answer.object
        XCTAssertEqual(actual["format"] as? String, shown["format"] as? String)
        XCTAssertEqual(actual["imported"] as? NSDictionary, shown["imported"] as? NSDictionary)
        XCTAssertEqual(actual["skipped_count"] as? Int, shown["skipped_count"] as? Int)
        let shownSkipped = try XCTUnwrap(shown["skipped"] as? [[String: Any]])
        let actualSkipped = try XCTUnwrap(actual["skipped"] as? [[String: Any]])
        XCTAssertEqual(actualSkipped.prefix(shownSkipped.count).map { NSDictionary(dictionary: $0) }, shownSkipped.map { NSDictionary(dictionary: $0) })
        if let comment = shownLine.range(of: #"\d+ more"#, options: .regularExpression) {
            XCTAssertEqual(Int(shownLine[comment].split(separator: " ")[0]), actualSkipped.count - shownSkipped.count, "the abridgement counts the rest")
        }
    }
}
