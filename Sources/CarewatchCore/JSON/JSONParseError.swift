/// Why a document is not RFC 8259 JSON, with the byte offset where the parser gave up so a
/// client (or the journal reader) can point at the exact spot.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) at byte \(offset)" }
}
