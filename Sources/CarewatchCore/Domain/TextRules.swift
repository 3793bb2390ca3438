/// The rules for the free text a client writes (a council's `name`, an inspection's `type`,
/// `visit_theme`, `summary`, `report_url` and `source`, a workforce row's `source`):
///
/// - white space around the text is removed (a name pasted with a trailing space is the
///   same name), and an optional text that is empty after that is null;
/// - control characters (U+0000 to U+001F, U+007F to U+009F) are refused, except line
///   breaks and tabs in `summary`, which is prose;
/// - lengths are counted in Unicode code points, as JSON Schema's `maxLength` counts them,
///   on the text as sent.
enum TextRules {
    /// The text without surrounding white space.
    static func trimmed(_ text: String) -> String {
        guard let first = text.first, let last = text.last, first.isWhitespace || last.isWhitespace else { return text }
        var slice = Substring(text)
        while let character = slice.first, character.isWhitespace { slice = slice.dropFirst() }
        while let character = slice.last, character.isWhitespace { slice = slice.dropLast() }
        return String(slice)
    }

    /// Trimmed, and nil when nothing is left.
    static func trimmedOrNil(_ text: String?) -> String? {
        guard let text else { return nil }
        let result = trimmed(text)
        return result.isEmpty ? nil : result
    }

    /// The problems of one stored text field, if any.
    static func errors(_ field: String, _ text: String?, limit: Int, lineBreaks: Bool = false) -> [FieldError] {
        guard let text else { return [] }
        var errors: [FieldError] = []
        if text.unicodeScalars.count > limit { errors.append(lengthError(field, limit: limit)) }
        if let bad = text.unicodeScalars.first(where: { isRefusedControl($0, lineBreaks: lineBreaks) }) {
            let code = String(bad.value, radix: 16, uppercase: true)
            let hex = String(repeating: "0", count: max(0, 4 - code.count)) + code
            errors.append(FieldError(field: field, message: "must not contain control characters (found U+\(hex))\(lineBreaks ? " other than line breaks and tabs" : "")"))
        }
        return errors
    }

    static func lengthError(_ field: String, limit: Int) -> FieldError {
        FieldError(field: field, message: "must be at most \(limit) characters")
    }

    private static func isRefusedControl(_ scalar: Unicode.Scalar, lineBreaks: Bool) -> Bool {
        let value = scalar.value
        guard value < 0x20 || (0x7F...0x9F).contains(value) else { return false }
        return !(lineBreaks && (value == 0x09 || value == 0x0A || value == 0x0D))
    }
}
