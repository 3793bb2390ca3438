import Foundation

/// Writes a Swift file declaring `ENUM.files`, a dictionary from file name to contents, for
/// the files given on the command line. Each file becomes a raw string
/// literal whose `#` delimiter is longer than any `"#…` run in the text, so no content can
/// close it early.
let arguments = CommandLine.arguments.dropFirst()
guard arguments.count > 2 else {
    FileHandle.standardError.write(Data("usage: FileEmbedder ENUM OUTPUT INPUT...\n".utf8))
    exit(2)
}
let enumName = arguments[arguments.startIndex]
let outputPath = arguments[arguments.startIndex + 1]

func delimiter(for text: String) -> String {
    var longest = 0
    var run = -1
    for character in text.unicodeScalars {
        if character == "\"" {
            run = 0
        } else if character == "#", run >= 0 {
            run += 1
            longest = max(longest, run)
        } else {
            run = -1
        }
    }
    return String(repeating: "#", count: longest + 1)
}

var source = """
// Generated at build time by FileEmbedder. Do not edit.

enum \(enumName) {
    /// File name → contents of each embedded file.
    static let files: [String: String] = [

"""
for path in arguments.dropFirst(2) {
    let url = URL(fileURLWithPath: path)
    // Decoded byte for byte (a byte order mark stays), so the embedded text is the file.
    let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
    let hashes = delimiter(for: text)
    source += "        \"\(url.lastPathComponent)\": \(hashes)\"\"\"\n\(text)\n\"\"\"\(hashes),\n"
}
source += "    ]\n}\n"
try Data(source.utf8).write(to: URL(fileURLWithPath: outputPath), options: .atomic)
