/// A command line or environment the program cannot run with. The CLI prints `message`
/// (one line) to standard error and exits with status 2, the convention for usage errors,
/// so scripts can tell "you called it wrong" from "it ran and failed".
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    /// The exit status a CLI should use.
    public static let exitStatus: Int32 = 2

    public var description: String { message }
}
