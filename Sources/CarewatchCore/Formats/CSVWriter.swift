/// An RFC 4180 writer into a byte buffer. Fields are quoted only when they must be (comma,
/// quote, CR or LF inside, or leading/trailing spaces that a spreadsheet would otherwise trim),
/// which is also how DfE writes its files. nil is written as an empty field.
public struct CSVWriter: Sendable {
    public enum LineEnding: Sendable {
        /// CRLF, as RFC 4180 specifies; the default for `text/csv` responses.
        case crlf
        /// LF, as the project's own data files use.
        case lf
    }

    public private(set) var bytes: [UInt8] = []
    public let lineEnding: LineEnding

    public init(lineEnding: LineEnding = .crlf, reservingCapacity capacity: Int = 0) {
        self.lineEnding = lineEnding
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeRow(_ fields: [String?]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            if let field { append(field: field) }
        }
        switch lineEnding {
        case .crlf: bytes.append(contentsOf: [0x0D, 0x0A])
        case .lf: bytes.append(0x0A)
        }
    }

    public mutating func writeRow(_ fields: [String]) {
        writeRow(fields.map { Optional($0) })
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private mutating func append(field: String) {
        let utf8 = field.utf8
        var needsQuotes = utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ")
        if !needsQuotes {
            for byte in utf8 where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
                needsQuotes = true
                break
            }
        }
        guard needsQuotes else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            bytes.append(byte)
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
