import HexEncoding

/// The rules for the free text a client writes (a council's `name`, an inspection's `type`,
/// `visit_theme`, `summary`, `report_url` and `source`, a workforce row's `source`), so that
/// what is stored is what was sent and reads back the same in JSON, CSV and a spreadsheet:
///
/// - no white space at either end, and not empty (an optional text with no value is null);
/// - no control characters (U+0000 to U+001F, U+007F to U+009F), except line breaks and
///   tabs inside `summary`, which is prose;
/// - lengths are counted in Unicode code points, as JSON Schema's `maxLength` counts them.
///
/// Text that breaks a rule is refused (422 naming the field), never trimmed or cleaned
/// silently. (The CSV importers normalise white space in cells before this, as spreadsheet
/// exports need.)
enum TextRules {
    /// Every broken rule of one text field.
    static func errors(_ field: String, _ text: String?, limit: Int, lineBreaks: Bool = false) -> [FieldError] {
        guard let text else { return [] }
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else {
            return [FieldError(field: field, message: "must not be empty")]
        }
        var errors: [FieldError] = []
        if text.unicodeScalars.count > limit {
            errors.append(FieldError(field: field, message: "must be at most \(limit) characters"))
        }
        if first.properties.isWhitespace || last.properties.isWhitespace {
            errors.append(FieldError(field: field, message: "must not start or end with white space"))
        }
        if let bad = text.unicodeScalars.first(where: { isRefusedControl($0, lineBreaks: lineBreaks) }) {
            var digits: [UInt8] = []
            Hex.append(bad.value, minimumDigits: 4, uppercase: true, to: &digits)
            let hex = String(decoding: digits, as: UTF8.self)
            errors.append(FieldError(field: field, message: "must not contain control characters (found U+\(hex))\(lineBreaks ? " other than line breaks and tabs" : "")"))
        }
        return errors
    }

    private static func isRefusedControl(_ scalar: Unicode.Scalar, lineBreaks: Bool) -> Bool {
        let value = scalar.value
        guard value < 0x20 || (0x7F...0x9F).contains(value) else { return false }
        return !(lineBreaks && (value == 0x09 || value == 0x0A || value == 0x0D))
    }
}
