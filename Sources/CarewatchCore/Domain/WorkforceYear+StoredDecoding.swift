extension WorkforceYear {
    /// The members of a stored row in the order `writeStorageJSON` writes them.
    private static let storedKeys: [StoredKey] = [
        "council", "year", "employed_fte", "agency_fte", "agency_rate", "vacancy_fte", "vacancy_rate", "leavers_fte",
        "turnover_rate", "caseload", "absence_rate", "asye_share", "source", "suppressed", "version",
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
            // The member written next, compared in place; otherwise scan the key and look it up.
            let field: Int
            if expected < keys.count, let length = keys[expected].matchesQuoted(at: parser.index, in: bytes) {
                field = expected
                parser.index += length
            } else {
                guard let key = parser.plainKey(), let found = match(key, in: bytes, keys: keys) else { return nil }
                field = found
            }
            guard seen & (1 << field) == 0 else { return nil }
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
                guard let suppressed = storedSuppressed(&parser) else { return nil }
                row.suppressed = suppressed
            case 14:
                guard let version = integer(&parser), version >= 0 else { return nil }
                row.version = UInt64(version)
            default:
                var value: Double?
                if bytes[parser.index] == UInt8(ascii: "n") {
                    guard (try? parser.literal("null")) != nil else { return nil }
                } else {
                    guard let number = parser.shortDecimal() ?? (try? parser.parseNumber()) else { return nil }
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

    /// `suppressed`: `{}` (nearly every row) or an object of DfE's symbols.
    private static func storedSuppressed(_ parser: inout Parser) -> [String: String]? {
        let bytes = parser.bytes
        guard bytes[parser.index] == UInt8(ascii: "{") else { return nil }
        parser.index += 1
        parser.skipWhitespace()
        var result: [String: String] = [:]
        guard parser.index < bytes.count else { return nil }
        if bytes[parser.index] == UInt8(ascii: "}") {
            parser.index += 1
            return result
        }
        while true {
            parser.skipWhitespace()
            guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "\""), let field = try? parser.parseString() else { return nil }
            parser.skipWhitespace()
            guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: ":") else { return nil }
            parser.index += 1
            parser.skipWhitespace()
            guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "\""), let symbol = try? parser.parseString(),
                  result.updateValue(symbol, forKey: field) == nil else { return nil }
            parser.skipWhitespace()
            guard parser.index < bytes.count else { return nil }
            if bytes[parser.index] == UInt8(ascii: ",") {
                parser.index += 1
                continue
            }
            guard bytes[parser.index] == UInt8(ascii: "}") else { return nil }
            parser.index += 1
            return result
        }
    }

    /// Which stored member `key` is.
    private static func match(_ key: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, keys: [StoredKey]) -> Int? {
        guard key.count <= 16, let start = key.baseAddress else { return nil }
        let words = StoredKey.words(at: start - bytes.baseAddress!, count: key.count, in: bytes)
        return keys.firstIndex { $0.count == key.count && $0.words == words }
    }

    /// A JSON number that is an exact integer, as `JSONValue.intValue` accepts it.
    private static func integer(_ parser: inout Parser) -> Int? {
        guard let number = parser.shortDecimal() ?? (try? parser.parseNumber()) else { return nil }
        return JSONValue.number(number).intValue
    }
}

/// A member name of up to 16 bytes as two little-endian words, zero-padded.
private struct StoredKey {
    let count: Int
    let words: Words

    struct Words: Equatable {
        var low: UInt64 = 0
        var high: UInt64 = 0
    }

    init(_ name: [UInt8]) {
        precondition(name.count <= 16)
        count = name.count
        var words = Words()
        for (index, byte) in name.enumerated() {
            if index < 8 { words.low |= UInt64(byte) << (8 * UInt64(index)) } else { words.high |= UInt64(byte) << (8 * UInt64(index - 8)) }
        }
        self.words = words
    }

    /// When `"name"` is at `offset`: the length of that quoted key.
    func matchesQuoted(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let end = offset + count + 1
        guard end < bytes.count, bytes[offset] == UInt8(ascii: "\""), bytes[end] == UInt8(ascii: "\""),
              StoredKey.words(at: offset + 1, count: count, in: bytes) == words else { return nil }
        return count + 2
    }

    /// The `count` bytes at `offset` as words: two loads when 16 bytes can be read there.
    static func words(at offset: Int, count: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Words {
        if offset + 16 <= bytes.count, let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base + offset)
            return Words(low: raw.loadUnaligned(as: UInt64.self) & mask(count), high: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & mask(count - 8))
        }
        var words = Words()
        for index in 0..<min(count, 16) {
            let byte = UInt64(bytes[offset + index])
            if index < 8 { words.low |= byte << (8 * UInt64(index)) } else { words.high |= byte << (8 * UInt64(index - 8)) }
        }
        return words
    }

    /// The low `count` bytes of a word (none for 0 or less, all for 8 or more).
    static func mask(_ count: Int) -> UInt64 {
        count >= 8 ? ~0 : count <= 0 ? 0 : (1 << (UInt64(count) * 8)) - 1
    }
}
