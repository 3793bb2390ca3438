/// DfE's symbols for a figure it does not publish as a number. carewatch keeps the symbol
/// exactly as published, beside a null value, and never turns it into a number: a withheld
/// figure is not zero, and "not applicable" is not "not available".
public enum SuppressionSymbol {
    /// Every symbol carewatch accepts, with what DfE's Explore Education Statistics files
    /// mean by it (data/PROVENANCE.md). A value outside this list in a number column is an
    /// error, not a silent suppression, so a typo in a file cannot hide a figure.
    public static let meanings: [(symbol: String, meaning: String)] = [
        ("c", "confidential"),
        ("k", "fewer than 5 (rounded)"),
        ("u", "low reliability"),
        ("x", "not available"),
        ("z", "not applicable"),
        ("low", "published as 'low' (too small to show; DfE's guidance does not explain it further)"),
        (":", "not available"),
        ("-", "not available"),
        (".", "not available"),
    ]

    private static let known: Set<String> = Set(meanings.map(\.symbol))

    public static func isKnown(_ text: String) -> Bool { known.contains(text) }

    /// The symbols, quoted, for error messages.
    static var list: String { meanings.map { "'\($0.symbol)'" }.joined(separator: ", ") }
}

/// One published cell: a number, DfE's symbol for a withheld figure, or nothing at all.
public enum FigureCell: Sendable, Equatable {
    case number(Double)
    case symbol(String)
    case empty

    /// Reads a cell of an official or project CSV file. Anything that is neither a number,
    /// nor a known symbol, nor empty is refused.
    public init?(text: String) {
        if text.isEmpty {
            self = .empty
        } else if let value = DecimalText.parse(text) {
            self = .number(value)
        } else if SuppressionSymbol.isKnown(text) {
            self = .symbol(text)
        } else {
            return nil
        }
    }

    /// The message for a cell that is neither.
    static func problem(_ text: String) -> String {
        "\(text) is not a number nor one of DfE's symbols (\(SuppressionSymbol.list))"
    }
}
