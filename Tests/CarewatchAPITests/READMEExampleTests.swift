import CarewatchCore
import Foundation
import HTTPTestClient
import TestFixtures
import XCTest

/// Every `curl` example in README.md is what the server answers, so the README cannot drift.
///
/// The examples run top to bottom against one fresh server on the embedded data, as a
/// reader following the README would run them (writes use the README's key, `change-me`).
/// The README pairs a command with its answer by position:
///
/// - a ```` ```sh ```` block holds commands; the lines that start with `curl` are run (the
///   others, such as starting the server, are the reader's to run);
/// - a ```` ```json ```` block right after it (blank lines between at most) is the answer of
///   every `curl` of that block: they are spellings of one request (by code, by la_code…);
/// - a ```` ```jsonc ```` block whose first line is a `// abridged …` comment is such an
///   answer with arrays cut short: each array shows the first elements of the real one;
/// - a ```` ```http ```` block is an answer's status line and a selection of its headers;
/// - a ```` ```event-stream ```` block answers a `curl -N` of an event stream: the events it
///   shows are the first the server sends, `data` compared as JSON;
/// - a `sh` block with no answer after it, and a `curl` in an inline code span, must be
///   answered with a 2xx;
/// - fences may be indented, as inside a list item.
///
/// Comparison is of JSON values (formatting and key order aside) and ignores only the values
/// of `updated_at`, `imported_at` and `at`, which say when the reader's server did something,
/// and a string shown as `"…"` (a digest of such a moment's data). Every ```` ```json ````
/// block of the README must be the answer of a command.
final class READMEExampleTests: XCTestCase {
    static let key = "change-me"

    func testEveryCurlExampleIsWhatTheServerAnswers() throws {
        let readme = try String(contentsOfFile: RepositoryData.packageRoot + "/README.md", encoding: .utf8)
        let document = MarkdownExamples(readme)
        XCTAssertGreaterThan(document.blocks.count, 10)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carewatch-readme-\(UUID().uuidString)")
        let server = try TestServer(directory: directory.appendingPathComponent("data")) { $0.apiKeys = [Self.key] }
        defer {
            server.stop()
            try? FileManager.default.removeItem(at: directory)
        }
        var runner = ExampleRunner(server: server, files: directory)
        var answered = 0
        var commands = 0

        for (index, block) in document.blocks.enumerated() {
            switch block.language {
            case "sh":
                let examples = try CurlExample.parseBlock(block.lines).map { try $0.get() }
                guard !examples.isEmpty else { continue }
                let answer = document.answer(after: index)
                for example in examples {
                    commands += 1
                    let location = "README.md:\(block.firstLine + example.line) `\(example.text)`"
                    if example.stream {
                        guard let answer, answer.language == "event-stream" else {
                            XCTFail("\(location): an event stream (curl -N) is answered by an event-stream block")
                            continue
                        }
                        let expected = ExpectedAnswer.events(answer.lines)
                        let client = try EventStreamClient(port: server.port, target: example.target, headers: example.headers)
                        defer { client.close() }
                        var received: [ServerSentEventMessage] = []
                        while received.count < expected.count, let event = try client.next() {
                            if event.comment == nil { received.append(event) }
                        }
                        if let problem = ExpectedAnswer.streamMismatch(expected, received) { XCTFail("\(location): \(problem)") }
                        continue
                    }
                    let response = try runner.run(example)
                    if let answer {
                        if let problem = ExpectedAnswer.mismatch(answer, response) {
                            XCTFail("\(location): \(problem)\nThe server answered:\n\(ExpectedAnswer.show(response))")
                        }
                    } else {
                        XCTAssertTrue((200..<300).contains(response.status), "\(location) answered \(response)")
                    }
                }
                if answer != nil { answered += 1 }
            case "json", "jsonc", "http", "event-stream":
                let previous = index > 0 ? document.blocks[index - 1] : nil
                let paired = previous.map { $0.language == "sh" && document.answer(after: index - 1) != nil } ?? false
                XCTAssertTrue(paired, "README.md:\(block.firstLine): a \(block.language) block that answers no curl command (put the command in a sh block right before it)")
            default:
                break
            }
        }
        for span in document.inlineCommands {
            let example = try XCTUnwrap(try CurlExample.parseBlock([span.text]).first?.get(), "README.md:\(span.line)")
            commands += 1
            let response = try runner.run(example)
            XCTAssertTrue((200..<300).contains(response.status), "README.md:\(span.line) `\(span.text)` answered \(response)")
        }
        XCTAssertGreaterThan(answered, 10, "README shows answers")
        print("README: \(commands) curl commands run, \(answered) answers compared")
    }

    /// The parser the test relies on reads what the README writes.
    func testTheCurlParserReadsShellQuotingAndContinuations() throws {
        let examples = try CurlExample.parseBlock([
            "# a comment",
            "curl -s -X PUT localhost:8080/v1/councils/sandwell/workforce/2016 \\",
            "  -H 'Authorization: Bearer change-me' -H \"Content-Type: application/json\" \\",
            "  -d '{\"caseload\":17.5, \"source\":\"a # b\"}'   # trailing comment",
            "swift run carewatch &",
            "curl -sI 'localhost:8080/v1/councils?region=West%20Midlands&sort=-rating'",
            "curl -s localhost:8080/v1/export > carewatch-export.json",
            "curl -s -X POST http://localhost:8080/v1/import --data-binary @carewatch-export.json -H 'Content-Type: application/json'",
            "curl -sN localhost:8080/v1/changes/stream -H 'Last-Event-ID: 16540'",
        ]).map { try $0.get() }
        XCTAssertEqual(examples.count, 5)
        XCTAssertTrue(examples[4].stream)
        XCTAssertFalse(examples[0].stream)
        XCTAssertEqual(examples[0].method, "PUT")
        XCTAssertEqual(examples[0].target, "/v1/councils/sandwell/workforce/2016")
        XCTAssertEqual(examples[0].headers.map(\.0), ["Authorization", "Content-Type"])
        XCTAssertEqual(examples[0].body, .text(#"{"caseload":17.5, "source":"a # b"}"#))
        XCTAssertEqual(examples[0].line, 1)
        XCTAssertEqual(examples[1].method, "HEAD")
        XCTAssertEqual(examples[1].target, "/v1/councils?region=West%20Midlands&sort=-rating")
        XCTAssertEqual(examples[2].output, "carewatch-export.json")
        XCTAssertEqual(examples[3].method, "POST")
        XCTAssertEqual(examples[3].body, .file("carewatch-export.json"))
        XCTAssertThrowsError(try CurlExample.parseBlock(["curl -s --compressed localhost:8080/healthz"]).first?.get())
        XCTAssertThrowsError(try CurlExample.parseBlock(["curl -s \"localhost:8080/v1/councils/$code\""]).first?.get())
        XCTAssertThrowsError(try CurlExample.parseBlock(["curl -s example.org/v1/councils"]).first?.get())
    }
}

/// The fenced blocks of a Markdown document, and the `curl` commands of its inline code.
struct MarkdownExamples {
    struct Block {
        var language: String
        var lines: [String]
        /// 1-based line of the first line inside the fence.
        var firstLine: Int
        /// Whether only blank lines separate it from the block before.
        var followsPrevious: Bool
    }

    var blocks: [Block] = []
    var inlineCommands: [(line: Int, text: String)] = []

    init(_ text: String) {
        let lines = text.components(separatedBy: "\n")
        var index = 0
        var blankRunSinceBlock = true
        var sawBlockBefore = false
        while index < lines.count {
            let line = lines[index]
            // Fences may be indented (a block inside a list item); so are their lines.
            let indent = line.prefix { $0 == " " }.count
            if line.dropFirst(indent).hasPrefix("```") {
                let language = String(line.dropFirst(indent + 3)).trimmingCharacters(in: .whitespaces)
                var body: [String] = []
                index += 1
                while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                    body.append(String(lines[index].dropFirst(min(indent, lines[index].prefix { $0 == " " }.count))))
                    index += 1
                }
                blocks.append(Block(language: language, lines: body, firstLine: index - body.count + 1,
                                    followsPrevious: sawBlockBefore && blankRunSinceBlock))
                sawBlockBefore = true
                blankRunSinceBlock = true
            } else {
                if !line.trimmingCharacters(in: .whitespaces).isEmpty { blankRunSinceBlock = false }
                // `curl …` in inline code (`…`): examples too.
                var rest = Substring(line)
                while let open = rest.firstIndex(of: "`") {
                    let after = rest[rest.index(after: open)...]
                    guard let close = after.firstIndex(of: "`") else { break }
                    let code = String(after[..<close])
                    if code.hasPrefix("curl ") { inlineCommands.append((index + 1, code)) }
                    rest = after[after.index(after: close)...]
                }
            }
            index += 1
        }
    }

    /// The answer block right after block `index`, if there is one.
    func answer(after index: Int) -> Block? {
        guard index + 1 < blocks.count else { return nil }
        let next = blocks[index + 1]
        guard next.followsPrevious, ["json", "jsonc", "http", "event-stream"].contains(next.language) else { return nil }
        return next
    }
}

/// One `curl` command of the README, as the test sends it.
struct CurlExample {
    enum Body: Equatable {
        case text(String)
        case file(String)
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// The command as written (continuations joined) and its 0-based line within the block.
    var text: String
    var line: Int
    var method = "GET"
    var target = ""
    var headers: [(String, String)] = []
    var body: Body?
    /// `> file`: the answer's body is saved there for later `@file` uploads.
    var output: String?
    /// `-N`: an event stream, shown as its events arrive.
    var stream = false

    /// The `curl` commands of a sh block; other lines are not run.
    static func parseBlock(_ lines: [String]) throws -> [Result<CurlExample, Invalid>] {
        var commands: [Result<CurlExample, Invalid>] = []
        var index = 0
        while index < lines.count {
            var text = lines[index]
            let first = index
            while text.hasSuffix("\\"), index + 1 < lines.count {
                index += 1
                text = String(text.dropLast()) + " " + lines[index].trimmingCharacters(in: .whitespaces)
            }
            index += 1
            guard text.trimmingCharacters(in: .whitespaces).hasPrefix("curl ") else { continue }
            commands.append(Result { () throws(Invalid) in try CurlExample(text.trimmingCharacters(in: .whitespaces), line: first) })
        }
        return commands
    }

    init(_ text: String, line: Int) throws(Invalid) {
        self.text = text
        self.line = line
        var words = try CurlExample.words(text)
        guard words.first == "curl" else { throw Invalid(description: "not a curl command: \(text)") }
        words.removeFirst()
        var explicitMethod: String?
        var head = false
        var url: String?
        var index = 0
        func value() throws(Invalid) -> String {
            index += 1
            guard index < words.count else { throw Invalid(description: "\(words[index - 1]) needs a value: \(text)") }
            return words[index]
        }
        while index < words.count {
            let word = words[index]
            switch word {
            case "-s", "-S", "-sS", "--silent", "--show-error":
                break
            case "-N", "-sN", "--no-buffer":
                stream = true
            case "-I", "-sI", "--head":
                head = true
            case "-O", "-J", "-OJ", "--remote-name", "--remote-header-name":
                break   // saves the answer to a file; the answer is checked all the same
            case "-X", "--request":
                explicitMethod = try value()
            case "-H", "--header":
                let header = try value()
                guard let colon = header.firstIndex(of: ":") else { throw Invalid(description: "header without a colon: \(header)") }
                headers.append((String(header[..<colon]), header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            case "-d", "--data", "--data-binary", "--data-raw":
                let data = try value()
                body = word != "--data-raw" && data.hasPrefix("@") ? .file(String(data.dropFirst())) : .text(data)
            case ">":
                output = try value()
            default:
                guard !word.hasPrefix("-") else { throw Invalid(description: "curl option \(word) is not one this test understands: \(text)") }
                guard url == nil else { throw Invalid(description: "two URLs: \(text)") }
                url = word
            }
            index += 1
        }
        guard var url else { throw Invalid(description: "no URL: \(text)") }
        if url.hasPrefix("http://") { url.removeFirst("http://".count) }
        guard url.hasPrefix("localhost:8080/") else { throw Invalid(description: "examples talk to localhost:8080: \(text)") }
        target = String(url.dropFirst("localhost:8080".count))
        method = explicitMethod ?? (head ? "HEAD" : (body != nil ? "POST" : "GET"))
        if body != nil, !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))   // what curl sends
        }
    }

    /// Shell words: single and double quotes, backslash escapes, `#` comments. Variables
    /// (`$x`) are refused: an example must be runnable as written.
    static func words(_ text: String) throws(Invalid) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if let open = quote {
                if character == open {
                    quote = nil
                } else if open == "\"" && character == "$" {
                    throw Invalid(description: "a shell variable in an example: \(text)")
                } else if open == "\"" && character == "\\", let next = characters.popFirst() {
                    current.append(next)
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                inWord = true
            case " ", "\t":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "#" where !inWord:
                characters = characters.suffix(0)
            case "\\":
                if let next = characters.popFirst() { current.append(next) }
                inWord = true
            case "$", "|", "&", ";", "`", "<":
                throw Invalid(description: "shell syntax \(character) in an example: \(text)")
            case ">":
                if inWord { words.append(current) }
                words.append(">")
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil else { throw Invalid(description: "unclosed quote: \(text)") }
        if inWord { words.append(current) }
        return words
    }
}

/// Sends README commands to the server, keeping the files they save (`> file`).
struct ExampleRunner {
    let server: TestServer
    let files: URL

    init(server: TestServer, files: URL) {
        self.server = server
        self.files = files
        try? FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
    }

    mutating func run(_ example: CurlExample) throws -> RawHTTPResponse {
        var body: [UInt8]?
        switch example.body {
        case .text(let text)?:
            body = Array(text.utf8)
        case .file(let name)?:
            // Files the README saved earlier, else files of the repository (the reader's working directory).
            let saved = files.appendingPathComponent(name).path
            let path = FileManager.default.fileExists(atPath: saved) ? saved : RepositoryData.packageRoot + "/" + name
            body = try RepositoryData.bytes(path)
        case nil:
            body = example.method == "GET" || example.method == "HEAD" || example.method == "DELETE" ? nil : []
        }
        let response = try server.client.request(example.method, example.target, headers: [("Accept", "*/*")] + example.headers, body: body)
        if let output = example.output {
            try Data(response.body).write(to: files.appendingPathComponent(output))
        }
        return response
    }
}

/// An answer block of the README against what the server said.
enum ExpectedAnswer {
    /// Nil when the answer matches; else what differs.
    static func mismatch(_ block: MarkdownExamples.Block, _ response: RawHTTPResponse) -> String? {
        if block.language == "http" { return headMismatch(block.lines, response) }
        var lines = block.lines
        var abridged = false
        while let first = lines.first, first.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
            abridged = abridged || first.contains("abridged")
            lines.removeFirst()
        }
        if block.language == "jsonc" && !abridged { return "a jsonc answer must start with an `// abridged …` comment" }
        guard let expected = try? JSONSerialization.jsonObject(with: Data(lines.joined(separator: "\n").utf8), options: [.fragmentsAllowed]) else {
            return "the README's answer is not JSON"
        }
        guard let actual = response.json else { return "the server's answer is not JSON" }
        return mismatch(expected, actual, path: "$", abridged: abridged)
    }

    private static func headMismatch(_ lines: [String], _ response: RawHTTPResponse) -> String? {
        let shown = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let status = shown.first?.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            return "an http answer starts with a status line (HTTP/1.1 200 OK)"
        }
        if status != response.status { return "status \(response.status), not \(status)" }
        for line in shown.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return "not a header line: \(line)" }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if response.header(name) != value { return "\(name) is \(response.header(name) ?? "absent"), not \(value)" }
        }
        return nil
    }

    private static func mismatch(_ expected: Any, _ actual: Any, path: String, abridged: Bool) -> String? {
        switch (expected, actual) {
        case let (expected as [String: Any], actual as [String: Any]):
            if Set(expected.keys) != Set(actual.keys) {
                return "\(path) has keys \(actual.keys.sorted()), not \(expected.keys.sorted())"
            }
            for key in expected.keys.sorted() {
                if ["updated_at", "imported_at", "at"].contains(key) {
                    guard actual[key] is String else { return "\(path).\(key) is not a string" }
                    continue
                }
                if let problem = mismatch(expected[key]!, actual[key]!, path: "\(path).\(key)", abridged: abridged) { return problem }
            }
            return nil
        case let (expected as [Any], actual as [Any]):
            if abridged ? actual.count < expected.count : actual.count != expected.count {
                return "\(path) has \(actual.count) elements, not \(abridged ? "at least " : "")\(expected.count)"
            }
            for (index, element) in expected.enumerated() {
                if let problem = mismatch(element, actual[index], path: "\(path)[\(index)]", abridged: abridged) { return problem }
            }
            return nil
        case (is NSNull, is NSNull):
            return nil
        case let (expected as String, actual as String):
            return expected == actual || expected == "…" ? nil : "\(path) is \(actual.debugDescription), not \(expected.debugDescription)"
        case let (expected as NSNumber, actual as NSNumber):
            return expected.doubleValue == actual.doubleValue ? nil : "\(path) is \(actual), not \(expected)"
        default:
            return "\(path) is \(actual), not \(expected)"
        }
    }

    /// The events an event-stream block shows (comment lines left out).
    static func events(_ lines: [String]) -> [ServerSentEventMessage] {
        lines.joined(separator: "\n").components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .newlines) }.filter { !$0.isEmpty }
            .map(ServerSentEventMessage.parse).filter { $0.comment == nil }
    }

    /// Each event shown against the one received: its id and name exactly, its data as JSON.
    static func streamMismatch(_ expected: [ServerSentEventMessage], _ received: [ServerSentEventMessage]) -> String? {
        guard received.count == expected.count else { return "the stream sent \(received.count) events, not \(expected.count): \(received)" }
        for (index, (shown, sent)) in zip(expected, received).enumerated() {
            if shown.id != sent.id || shown.event != sent.event { return "event \(index) is \(sent), not \(shown)" }
            guard let want = try? JSONSerialization.jsonObject(with: Data(shown.data.utf8)),
                  let got = try? JSONSerialization.jsonObject(with: Data(sent.data.utf8)) else { return "event \(index)'s data is not JSON" }
            if let problem = mismatch(want, got, path: "event \(index).data", abridged: false) { return problem }
        }
        return nil
    }

    /// The answer as the README would show it: indented, in the server's key order.
    static func show(_ response: RawHTTPResponse) -> String {
        guard response.json != nil, let value = try? JSONParser.parse(response.body) else {
            return "HTTP \(response.status)\n" + response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n\n" + response.text.prefix(2000)
        }
        return "HTTP \(response.status)\n" + String(decoding: value.serialized(pretty: true), as: UTF8.self)
    }
}
