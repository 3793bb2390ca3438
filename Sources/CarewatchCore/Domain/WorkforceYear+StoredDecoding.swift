extension WorkforceYear {
    /// The members of a stored row in the order `writeStorageJSON` writes them.
    private static let storedKeys: [StoredKey] = [
        "council", "year", "employed_fte", "agency_fte", "agency_rate", "vacancy_fte", "vacancy_rate", "leavers_fte",
        "turnover_rate", "caseload", "absence_rate", "asye_share", "source", "version",
    ].map { StoredKey(Array($0.utf8)) }

    /// Decodes one stored row (snapshot or journal form) straight from the parser's bytes,
    /// without building a `JSONValue` first: a snapshot can hold a million of them, and
    /// start-up time is mostly this. It knows exactly the layout the store writes; on anything
    /// else (an unknown or repeated member, a value of the wrong type, an escaped key, bad
    /// JSON) it rewinds and returns nil, and the caller decodes the row with the general,
    /// strict decoder, which accepts what it knows and names what is wrong.
    static func decodeStored(_ parser: inout Parser) -> WorkforceYear? {
        let start = parser.index
        if let row = fastStored(&parser) { return row }
        parser.index = start
        return nil
    }

    private static func fastStored(_ parser: inout Parser) -> WorkforceYear? {
        let bytes = parser.bytes
        guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "{") else { return nil }
        parser.index += 1
        let keys = storedKeys
        var row = WorkforceYear(council: "", year: 0)
        var seen: UInt32 = 0
        var expected = 0
        while true {
            parser.skipWhitespace()
            guard let key = parser.plainKey() else { return nil }
            guard let field = match(key, in: bytes, keys: keys, expected: expected), seen & (1 << field) == 0 else { return nil }
            seen |= 1 << field
            expected = field + 1
            parser.skipWhitespace()
            guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: ":") else { return nil }
            parser.index += 1
            parser.skipWhitespace()
            guard parser.index < bytes.count else { return nil }
            switch field {
            case 0:
                guard bytes[parser.index] == UInt8(ascii: "\""), let council = try? parser.parseString() else { return nil }
                row.council = council
            case 1:
                guard let year = integer(&parser) else { return nil }
                row.year = year
            case 12:
                if bytes[parser.index] == UInt8(ascii: "n") {
                    guard (try? parser.literal("null")) != nil else { return nil }
                } else {
                    guard bytes[parser.index] == UInt8(ascii: "\""), let source = try? parser.parseString() else { return nil }
                    row.source = source
                }
            case 13:
                guard let version = integer(&parser), version >= 0 else { return nil }
                row.version = UInt64(version)
            default:
                var value: Double?
                if bytes[parser.index] == UInt8(ascii: "n") {
                    guard (try? parser.literal("null")) != nil else { return nil }
                } else {
                    guard parser.isDigit(bytes[parser.index]) || bytes[parser.index] == UInt8(ascii: "-"),
                          let number = try? parser.parseNumber() else { return nil }
                    value = number
                }
                switch field {
                case 2: row.employedFTE = value
                case 3: row.agencyFTE = value
                case 4: row.agencyRate = value
                case 5: row.vacancyFTE = value
                case 6: row.vacancyRate = value
                case 7: row.leaversFTE = value
                case 8: row.turnoverRate = value
                case 9: row.caseload = value
                case 10: row.absenceRate = value
                default: row.asyeShare = value
                }
            }
            parser.skipWhitespace()
            guard parser.index < bytes.count else { return nil }
            if bytes[parser.index] == UInt8(ascii: ",") {
                parser.index += 1
                continue
            }
            guard bytes[parser.index] == UInt8(ascii: "}") else { return nil }
            parser.index += 1
            // council and year are required; the general decoder names whichever is missing.
            return seen & 0b11 == 0b11 ? row : nil
        }
    }

    /// Which stored member `key` is; the one written next is tried first.
    private static func match(_ key: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, keys: [StoredKey], expected: Int) -> Int? {
        guard key.count <= 16 else { return nil }
        // Two word loads and compares instead of a byte loop, when 16 bytes can be read.
        let words: (UInt64, UInt64)
        if let start = key.baseAddress, let base = bytes.baseAddress, start + 16 <= base + bytes.count {
            let raw = UnsafeRawPointer(start)
            words = (raw.loadUnaligned(as: UInt64.self) & StoredKey.mask(key.count),
                     raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & StoredKey.mask(key.count - 8))
        } else {
            words = StoredKey.words(Array(key))
        }
        if expected < keys.count, keys[expected].matches(key.count, words) { return expected }
        return keys.firstIndex { $0.matches(key.count, words) }
    }

    /// A JSON number that is an exact integer, as `JSONValue.intValue` accepts it.
    private static func integer(_ parser: inout Parser) -> Int? {
        let bytes = parser.bytes
        guard parser.isDigit(bytes[parser.index]) || bytes[parser.index] == UInt8(ascii: "-"),
              let number = try? parser.parseNumber() else { return nil }
        return JSONValue.number(number).intValue
    }
}

/// A member name of up to 16 bytes as two little-endian words, zero-padded.
private struct StoredKey {
    let count: Int
    let words: (UInt64, UInt64)

    init(_ name: [UInt8]) {
        precondition(name.count <= 16)
        count = name.count
        words = StoredKey.words(name)
    }

    func matches(_ count: Int, _ words: (UInt64, UInt64)) -> Bool {
        self.count == count && self.words.0 == words.0 && self.words.1 == words.1
    }

    /// The low `count` bytes of a word (none for 0 or less, all for 8 or more).
    static func mask(_ count: Int) -> UInt64 {
        count >= 8 ? ~0 : count <= 0 ? 0 : (1 << (UInt64(count) * 8)) - 1
    }

    static func words(_ bytes: [UInt8]) -> (UInt64, UInt64) {
        var words: (UInt64, UInt64) = (0, 0)
        for (index, byte) in bytes.prefix(16).enumerated() {
            if index < 8 { words.0 |= UInt64(byte) << (8 * UInt64(index)) } else { words.1 |= UInt64(byte) << (8 * UInt64(index - 8)) }
        }
        return words
    }
}
