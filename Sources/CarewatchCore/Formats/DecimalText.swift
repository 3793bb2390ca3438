/// Numbers as text in CSV files. The official files hold decimals with at most one place;
/// anything else in a number column of an official file is a suppression symbol.
enum DecimalText {
    /// A plain decimal (`12`, `-3.5`, `.5`, `1e3`); nil for anything else, including `nan`,
    /// `inf`, hex floats and the suppression symbols `c`, `u`, `x`, `z`, `low`, `:`.
    static func parse(_ text: some StringProtocol) -> Double? {
        var sawDigit = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return nil
            }
        }
        guard sawDigit, let value = Double(String(text)), value.isFinite else { return nil }
        return value
    }

    /// Shortest text that reads back as the same value; integral values without `.0`, as the
    /// source files write them (`10`, `108.8`).
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }

    static func format(_ value: Double?) -> String? { value.map { format($0) } }
}
