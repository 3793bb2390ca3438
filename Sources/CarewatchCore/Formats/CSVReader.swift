/// One CSV record: its fields and the 1-based line on which it starts in the file, so that
/// import errors can point at what a person sees in an editor even when quoted fields span lines.
public struct CSVRecord: Sendable, Equatable {
    public var fields: [String]
    public var line: Int

    public init(fields: [String], line: Int) {
        self.fields = fields
        self.line = line
    }

    /// True for a record with no content at all (a blank line, or `,,,,` from a spreadsheet
    /// export's trailing empty rows), which importers skip.
    public var isBlank: Bool { fields.allSatisfy { $0.isEmpty } }
}

/// A malformed CSV file, with the line where the problem was found.
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// An RFC 4180 reader working directly on bytes: quoted fields, doubled quotes, embedded
/// line breaks, CRLF or LF (or a lone CR) record ends, and an optional UTF-8 byte order mark.
/// It is strict where a lenient reader would silently change data: a quote inside an unquoted
/// field, text after a closing quote, an unterminated quote and invalid UTF-8 are errors.
/// Ragged records are not its concern; importers check field counts against their header.
public struct CSVReader: Sendable {
    private let bytes: [UInt8]
    private var position: Int
    private var line = 1

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    /// Reads the whole input. An empty input has no records; a trailing line break does not
    /// make an extra empty record.
    public static func records(_ bytes: [UInt8]) throws(CSVError) -> [CSVRecord] {
        var reader = CSVReader(bytes)
        var records: [CSVRecord] = []
        while let record = try reader.next() { records.append(record) }
        return records
    }

    public static func records(_ text: String) throws(CSVError) -> [CSVRecord] {
        try records(Array(text.utf8))
    }

    /// The next record, or nil at the end of the input.
    public mutating func next() throws(CSVError) -> CSVRecord? {
        guard position < bytes.count else { return nil }
        let startLine = line
        var position = self.position
        var line = self.line
        let fields = try bytes.withUnsafeBufferPointer { (buffer) throws(CSVError) -> [String] in
            try CSVReader.record(buffer, position: &position, line: &line)
        }
        self.position = position
        self.line = line
        return CSVRecord(fields: fields, line: startLine)
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    /// Reads one record starting at `position`, leaving `position` after its line break.
    private static func record(_ bytes: UnsafeBufferPointer<UInt8>, position: inout Int, line: inout Int) throws(CSVError) -> [String] {
        let count = bytes.count
        var fields: [String] = []
        var field: [UInt8] = []
        while true {
            // At the start of a field.
            if position < count, bytes[position] == quote {
                let quoteLine = line
                position += 1
                var closed = false
                field.removeAll(keepingCapacity: true)
                while position < count {
                    // Copy the run up to the next quote or line break in one go.
                    var end = position
                    while end < count, bytes[end] != quote, bytes[end] != lf, bytes[end] != cr { end += 1 }
                    field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<end]))
                    position = end
                    guard position < count else { break }
                    let byte = bytes[position]
                    if byte == quote {
                        if position + 1 < count, bytes[position + 1] == quote {
                            field.append(quote)
                            position += 2
                        } else {
                            position += 1
                            closed = true
                            break
                        }
                    } else {
                        // A line break inside quotes belongs to the field, as written.
                        field.append(byte)
                        position += 1
                        if byte == cr, position < count, bytes[position] == lf {
                            field.append(lf)
                            position += 1
                        }
                        line += 1
                    }
                }
                guard closed else { throw CSVError(line: quoteLine, message: "quoted field is not closed") }
                if position < count {
                    let byte = bytes[position]
                    if byte != comma, byte != lf, byte != cr {
                        throw CSVError(line: line, message: "unexpected character after closing quote")
                    }
                }
                let currentLine = line
                fields.append(try field.withUnsafeBufferPointer { (buffer) throws(CSVError) -> String in try string(buffer, line: currentLine) })
            } else {
                var end = position
                while end < count {
                    let byte = bytes[end]
                    if byte == comma || byte == lf || byte == cr { break }
                    if byte == quote {
                        throw CSVError(line: line, message: "quote inside an unquoted field (quote the field and double the quote)")
                    }
                    end += 1
                }
                fields.append(try string(UnsafeBufferPointer(rebasing: bytes[position..<end]), line: line))
                position = end
            }

            guard position < count else { break }
            let separator = bytes[position]
            position += 1
            if separator == comma {
                // A trailing comma at end of input still means one more (empty) field.
                if position >= count { fields.append(""); break }
                continue
            }
            // Record end: LF, CRLF or a lone CR.
            if separator == cr, position < count, bytes[position] == lf { position += 1 }
            line += 1
            break
        }
        return fields
    }

    private static func string(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) throws(CSVError) -> String {
        if bytes.isEmpty { return "" }
        // ASCII fast path: every field of the official files but a few names is ASCII.
        var ascii = true
        for byte in bytes where byte >= 0x80 { ascii = false; break }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CSVError(line: line, message: "text is not valid UTF-8")
        }
        return text
    }
}

/// Column lookup for a header row. Spreadsheet exports keep Ofsted's stray spaces and line
/// breaks in header cells, so names are compared after collapsing whitespace runs to one space
/// and trimming.
public struct CSVHeader: Sendable {
    public let names: [String]
    private let index: [String: Int]

    public init(_ fields: [String]) {
        names = fields.map(CSVHeader.normalise)
        var index: [String: Int] = [:]
        for (offset, name) in names.enumerated() where index[name] == nil { index[name] = offset }
        self.index = index
    }

    public func column(_ name: String) -> Int? { index[name] ?? index[CSVHeader.normalise(name)] }

    public func contains(_ name: String) -> Bool { column(name) != nil }

    /// Collapses every run of whitespace (spaces, tabs, line breaks, no-break spaces) to one
    /// space and trims both ends. Text that needs no change (nearly every cell) is returned as is.
    public static func normalise(_ text: String) -> String {
        if isNormalASCII(text.utf8) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for character in text {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }

    /// True when `utf8` is ASCII with no leading, trailing or repeated spaces and no other
    /// whitespace, so normalising would not change it.
    private static func isNormalASCII(_ utf8: String.UTF8View) -> Bool {
        var previousSpace = true   // a leading space counts as "after a space"
        var empty = true
        for byte in utf8 {
            empty = false
            if byte >= 0x80 || (byte < 0x20) { return false }
            if byte == 0x20 {
                if previousSpace { return false }
                previousSpace = true
            } else {
                previousSpace = false
            }
        }
        return empty || !previousSpace
    }
}
