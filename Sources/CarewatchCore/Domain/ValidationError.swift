/// One broken rule, named by its JSON field (`agency_rate`, `judgements.leadership`,
/// `former_codes[1]`) so the API can answer a 422 that tells the client exactly what to fix.
public struct FieldError: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

/// Every broken rule of a document at once, rather than the first, so a client fixes its
/// request in one round trip.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [FieldError]
    /// Which change of a multi-change commit broke the rules (its position in the list the
    /// store was given), so that a bulk import can say which record it was.
    public var changeIndex: Int?

    public init(_ errors: [FieldError]) { self.errors = errors }
    public init(errors: [FieldError]) { self.errors = errors }
    public init(field: String, message: String) { self.errors = [FieldError(field: field, message: message)] }

    public var description: String { errors.map(\.description).joined(separator: "; ") }
}
