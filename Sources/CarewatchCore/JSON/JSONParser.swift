#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Strict RFC 8259 parser. Strict because request bodies and journal records go through it:
/// anything ambiguous (duplicate keys, lone surrogates, trailing bytes, invalid UTF-8) is an
/// error rather than a guess, and nesting is capped so a hostile body cannot exhaust the stack.
public enum JSONParser {
    public static let maximumDepth = 64

    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        if let result = bytes.withContiguousStorageIfAvailable({ buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parseBuffer(buffer) }
        }) {
            return try result.get()
        }
        let array = Array(bytes)
        let result = array.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parseBuffer(buffer) }
        }
        return try result.get()
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        var parser = Parser(bytes: buffer)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index < buffer.count {
            throw JSONParseError(offset: parser.index, message: "unexpected data after the JSON value")
        }
        return value
    }
}

struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    @inline(__always) func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? index, message: message)
    }

    @inline(__always) mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("invalid literal") }
        let start = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw error("invalid literal", at: index + offset)
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        index += 1
        var object = JSONObject()
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        var seen = Set<String>()
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in object") }
            guard bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let keyOffset = index
            let key = try parseString()
            // Small objects (every API record) check duplicates by scanning; a hash set only
            // pays off for large ones.
            if object.count < 32 {
                if object.contains(key) { throw error("duplicate key \"\(key)\"", at: keyOffset) }
                if object.count == 31 { seen = Set(object.keys); seen.insert(key) }
            } else if !seen.insert(key).inserted {
                throw error("duplicate key \"\(key)\"", at: keyOffset)
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            object.appendUnchecked(key, value)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in object") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(object)
            default: throw error("expected ',' or '}'")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(array)
        }
        while true {
            skipWhitespace()
            array.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in array") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(array)
            default: throw error("expected ',' or ']'")
            }
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        var mantissa: UInt64 = 0
        var significant = 0      // digits accumulated into mantissa (leading zeros excluded)
        var exact = true         // every digit fit into mantissa
        var decimalExponent = 0
        @inline(__always) func accumulate(_ digit: UInt8) {
            if mantissa == 0 && digit == 0 { return }
            if significant < 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                significant += 1
            } else {
                exact = false
            }
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw error("leading zero in number") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                if significant < 19 { accumulate(bytes[index] &- 48) } else { exact = false; decimalExponent += 1 }
                index += 1
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("digit expected after '.'") }
            while index < bytes.count, isDigit(bytes[index]) {
                if significant < 19 {
                    accumulate(bytes[index] &- 48)
                    decimalExponent -= 1
                } else if bytes[index] != UInt8(ascii: "0") {
                    exact = false
                }
                index += 1
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("digit expected in exponent") }
            var exponent = 0
            while index < bytes.count, isDigit(bytes[index]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(bytes[index] &- 48) }
                index += 1
            }
            decimalExponent += exponentNegative ? -exponent : exponent
        }
        // Clinger's fast path: a mantissa below 2^53 and a power of ten that is itself exact
        // (<= 10^22) give a correctly rounded result with one multiplication or division.
        if exact && mantissa < (1 << 53) && decimalExponent >= -22 && decimalExponent <= 22 {
            var value = Double(mantissa)
            if decimalExponent < 0 { value /= Parser.powersOfTen[-decimalExponent] } else { value *= Parser.powersOfTen[decimalExponent] }
            return negative ? -value : value
        }
        // Everything else: strtod on the already-validated text (correctly rounded).
        let length = index - start
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer -> Double in
            for offset in 0..<length { buffer[offset] = CChar(bitPattern: bytes[start + offset]) }
            buffer[length] = 0
            return strtod(buffer.baseAddress!, nil)
        }
        guard value.isFinite else { throw error("number out of range", at: start) }
        return value
    }

    static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }

    mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: plain ASCII without escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let string = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return string
            }
            if byte == UInt8(ascii: "\\") || byte >= 0x80 || byte < 0x20 { break }
            index += 1
        }
        var scalars: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    let escapeStart = index - 2
                    var code = try hex4()
                    if code >= 0xD800 && code <= 0xDBFF {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("lone high surrogate", at: escapeStart)
                        }
                        index += 2
                        let low = try hex4()
                        guard low >= 0xDC00 && low <= 0xDFFF else { throw error("lone high surrogate", at: escapeStart) }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if code >= 0xDC00 && code <= 0xDFFF {
                        throw error("lone low surrogate", at: escapeStart)
                    }
                    appendUTF8(code, to: &scalars)
                default:
                    throw error("invalid escape", at: index - 1)
                }
            case 0..<0x20:
                throw error("unescaped control character in string")
            case 0x80...:
                try copyUTF8Sequence(into: &scalars)
            default:
                scalars.append(byte)
                index += 1
            }
        }
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 55)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Validates one UTF-8 sequence (no overlongs, no surrogates, max U+10FFFF) and copies it.
    mutating func copyUTF8Sequence(into output: inout [UInt8]) throws(JSONParseError) {
        let lead = bytes[index]
        let length: Int
        let minimum: UInt32
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
        default: throw error("invalid UTF-8")
        }
        guard index + length <= bytes.count else { throw error("truncated UTF-8") }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { throw error("invalid UTF-8", at: index + offset) }
            scalar = scalar << 6 | UInt32(byte & 0x3F)
        }
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { throw error("invalid UTF-8") }
        for offset in 0..<length { output.append(bytes[index + offset]) }
        index += length
    }

    func appendUTF8(_ code: UInt32, to output: inout [UInt8]) {
        switch code {
        case 0..<0x80: output.append(UInt8(code))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | (code >> 6)))
            output.append(UInt8(0x80 | (code & 0x3F)))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | (code >> 12)))
            output.append(UInt8(0x80 | ((code >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (code & 0x3F)))
        default:
            output.append(UInt8(0xF0 | (code >> 18)))
            output.append(UInt8(0x80 | ((code >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((code >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (code & 0x3F)))
        }
    }
}

extension JSONParser {
    /// Parses a top-level object member by member without building a tree of it: `member`
    /// is called with each key and the parser positioned at its value, which it must consume
    /// whole (`parser.parseValue(depth: 1)`, `parser.forEachElement`, or a decoder of its
    /// own). A snapshot with a million rows is decoded this way with the memory of one row
    /// at a time. Same strictness as `parse`.
    static func streamObject(_ buffer: UnsafeBufferPointer<UInt8>, member: (String, inout Parser) throws -> Void) throws {
        var parser = Parser(bytes: buffer)
        parser.skipWhitespace()
        guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "{") else {
            throw JSONParseError(offset: parser.index, message: "expected an object")
        }
        parser.index += 1
        var seen = Set<String>()
        parser.skipWhitespace()
        if parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "}") {
            parser.index += 1
        } else {
            members: while true {
                parser.skipWhitespace()
                guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "\"") else {
                    throw JSONParseError(offset: parser.index, message: "expected a string key")
                }
                let keyOffset = parser.index
                let key = try parser.parseString()
                guard seen.insert(key).inserted else { throw JSONParseError(offset: keyOffset, message: "duplicate key \"\(key)\"") }
                parser.skipWhitespace()
                guard parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: ":") else {
                    throw JSONParseError(offset: parser.index, message: "expected ':'")
                }
                parser.index += 1
                parser.skipWhitespace()
                let valueOffset = parser.index
                try member(key, &parser)
                if parser.index == valueOffset { throw JSONParseError(offset: valueOffset, message: "expected a value") }
                parser.skipWhitespace()
                guard parser.index < buffer.count else { throw JSONParseError(offset: parser.index, message: "unexpected end of input in object") }
                if buffer[parser.index] == UInt8(ascii: ",") { parser.index += 1; continue members }
                if buffer[parser.index] == UInt8(ascii: "}") { parser.index += 1; break members }
                throw JSONParseError(offset: parser.index, message: "expected ',' or '}'")
            }
        }
        parser.skipWhitespace()
        if parser.index < buffer.count { throw JSONParseError(offset: parser.index, message: "unexpected data after the JSON value") }
    }
}

extension Parser {
    /// At an array (nested `depth` deep): calls `element` with the parser at each element,
    /// which it must consume whole, and moves past the closing bracket.
    mutating func forEachElement(depth: Int, _ element: (inout Parser) throws -> Void) throws {
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { throw error("expected an array") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            let start = index
            try element(&self)
            if index == start { throw error("expected a value") }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return }
            throw error("expected ',' or ']'")
        }
    }
}

extension Parser {
    /// At a string key: its bytes when it is plain ASCII without escapes (every key the store
    /// writes), with the index moved past the closing quote; nil, index unchanged, otherwise.
    mutating func plainKey() -> UnsafeBufferPointer<UInt8>? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        var end = index + 1
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                let key = UnsafeBufferPointer(rebasing: bytes[(index + 1)..<end])
                index = end + 1
                return key
            }
            if byte == UInt8(ascii: "\\") || byte >= 0x80 || byte < 0x20 { return nil }
            end += 1
        }
        return nil
    }
}

extension Parser {
    /// The common short number (`-?digits(.digits)?`, at most 15 significant digits, which
    /// every stored figure is) decoded in one pass; nil, index unchanged, for anything else,
    /// which `parseNumber` then reads. Exact for what it accepts: a mantissa below 2^53
    /// divided by an exact power of ten is correctly rounded.
    mutating func shortDecimal() -> Double? {
        guard let base = bytes.baseAddress else { return nil }
        let end = bytes.count
        var position = index
        let negative = position < end && base[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let integerStart = position
        var mantissa: UInt64 = 0
        while position < end {
            let digit = base[position] &- 48
            guard digit < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            position += 1
        }
        let integerDigits = position - integerStart
        guard integerDigits > 0, integerDigits == 1 || base[integerStart] != UInt8(ascii: "0") else { return nil }
        var fractionDigits = 0
        if position < end, base[position] == UInt8(ascii: ".") {
            position += 1
            let fractionStart = position
            while position < end {
                let digit = base[position] &- 48
                guard digit < 10 else { break }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                position += 1
            }
            fractionDigits = position - fractionStart
            guard fractionDigits > 0 else { return nil }
        }
        guard integerDigits + fractionDigits <= 15 else { return nil }
        if position < end, base[position] | 0x20 == UInt8(ascii: "e") { return nil }
        index = position
        var value = Double(mantissa)
        switch fractionDigits {
        case 0: break
        case 1: value /= 10
        case 2: value /= 100
        case 3: value /= 1000
        default: value /= Parser.powersOfTen[fractionDigits]
        }
        return negative ? -value : value
    }
}
