/// Why `YAMLReader` refused a document, and where: the line and column (both from 1) of the
/// construct it could not read, so whoever edits openapi.yaml can go straight to it.
struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int
    var message: String

    var description: String { "line \(line), column \(column): \(message)" }
}
