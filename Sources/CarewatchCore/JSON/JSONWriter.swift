import HexEncoding

/// Writes JSON straight into a byte buffer. Callers emit structure with `beginObject`/`key`/
/// `endObject` etc.; commas and (optionally) indentation are handled here so handlers cannot
/// produce malformed output. Doubles are written in their shortest round-trip form and
/// integral values without ".0", so `18.8` stays `18.8` and `96` stays `96`.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8]
    public let pretty: Bool
    /// One entry per open container: whether it has no members yet.
    private var firstInContainer: [Bool] = []
    /// True right after `key(_:)`, so the value does not get a separating comma.
    private var afterKey = false

    public init(pretty: Bool = false, capacity: Int = 1024) {
        self.pretty = pretty
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: structure

    public mutating func beginObject() { prepareValue(); bytes.append(UInt8(ascii: "{")); firstInContainer.append(true) }
    public mutating func endObject() { closeContainer(UInt8(ascii: "}")) }
    public mutating func beginArray() { prepareValue(); bytes.append(UInt8(ascii: "[")); firstInContainer.append(true) }
    public mutating func endArray() { closeContainer(UInt8(ascii: "]")) }

    public mutating func key(_ name: String) {
        separate()
        appendEscaped(name)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(0x20) }
        afterKey = true
    }

    // MARK: values

    public mutating func null() { prepareValue(); appendLiteral("null") }
    public mutating func value(_ bool: Bool) { prepareValue(); appendLiteral(bool ? "true" : "false") }
    public mutating func value(_ string: String) { prepareValue(); appendEscaped(string) }
    public mutating func value(_ number: Double) { prepareValue(); append(number: number) }
    public mutating func value(_ integer: Int) { prepareValue(); append(integer: Int64(integer)) }
    public mutating func value(_ integer: UInt64) { prepareValue(); appendDecimal(integer) }
    public mutating func value(_ string: String?) { if let string { value(string) } else { null() } }
    public mutating func value(_ number: Double?) { if let number { value(number) } else { null() } }
    public mutating func value(_ integer: Int?) { if let integer { value(integer) } else { null() } }

    /// Writes a whole parsed value.
    public mutating func value(_ json: JSONValue) {
        switch json {
        case .null: null()
        case .bool(let b): value(b)
        case .number(let d): value(d)
        case .string(let s): value(s)
        case .array(let items):
            beginArray()
            for item in items { value(item) }
            endArray()
        case .object(let object):
            beginObject()
            for (name, item) in object { key(name); value(item) }
            endObject()
        }
    }

    /// Splices bytes that are already a complete JSON value (e.g. a cached rendering).
    public mutating func rawValue(_ json: [UInt8]) { prepareValue(); bytes.append(contentsOf: json) }

    /// Convenience members: `field("name", value)`.
    public mutating func field(_ name: String, _ string: String?) { key(name); value(string) }
    public mutating func field(_ name: String, _ number: Double?) { key(name); value(number) }
    public mutating func field(_ name: String, _ integer: Int?) { key(name); value(integer) }
    public mutating func field(_ name: String, _ bool: Bool) { key(name); value(bool) }

    // MARK: low-level appends (no separators)

    /// Appends `string` as a quoted JSON string with RFC 8259 escaping.
    public mutating func append(string: String) { appendEscaped(string) }

    /// Appends a number: integral values in integer form, others shortest round-trip; non-finite as null.
    public mutating func append(number: Double) {
        guard number.isFinite else { appendLiteral("null"); return }
        if number == number.rounded(.towardZero), abs(number) < 1e15 {
            if number == 0, number.sign == .minus { appendLiteral("-0"); return }
            append(integer: Int64(number))
            return
        }
        if appendShortDecimal(number) { return }
        // Swift's description is the shortest representation that round-trips, and its
        // exponent form ("1e-07", "1e+16") is valid JSON.
        var text = number.description
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Figures with one to three decimals (nearly every one this API holds) without building
    /// a String: the fewest decimals k for which m / 10^k, m an integer, is exactly the value
    /// (correctly rounded division, m < 2^53). Below 10^9 two k-decimal numbers are further
    /// apart than two doubles, so that m is the only candidate and the text is the one
    /// `description` gives.
    private mutating func appendShortDecimal(_ number: Double) -> Bool {
        let magnitude = abs(number)
        guard magnitude < 1e9, magnitude >= 1e-3 else { return false }
        var scale = 1.0
        for decimals in 1...3 {
            scale *= 10
            let scaled = (magnitude * scale).rounded()
            guard scaled / scale == magnitude else { continue }
            if number < 0 { bytes.append(UInt8(ascii: "-")) }
            let digits = UInt64(scaled)
            let divisor = UInt64(scale)
            appendDecimal(digits / divisor)
            bytes.append(UInt8(ascii: "."))
            var fraction = digits % divisor
            var place = divisor / 10
            for _ in 0..<decimals {
                bytes.append(UInt8(truncatingIfNeeded: fraction / place) + 48)
                fraction %= place
                place /= 10
            }
            return true
        }
        return false
    }

    public mutating func append(integer: Int64) {
        if integer < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(integer.magnitude)
        } else {
            appendDecimal(UInt64(integer))
        }
    }

    public mutating func appendRaw(_ text: StaticString) { appendLiteral(text) }

    // MARK: internals

    private mutating func appendDecimal(_ value: UInt64) {
        if value < 10 { bytes.append(UInt8(truncatingIfNeeded: value) + 48); return }
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var remaining = value
        withUnsafeMutableBytes(of: &buffer) { raw in
            var position = 24
            while remaining > 0 {
                position -= 1
                raw[position] = UInt8(truncatingIfNeeded: remaining % 10) + 48
                remaining /= 10
            }
            bytes.append(contentsOf: raw[position..<24])
        }
    }

    private mutating func appendLiteral(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private mutating func separate() {
        guard !firstInContainer.isEmpty else { return }
        if firstInContainer[firstInContainer.count - 1] {
            firstInContainer[firstInContainer.count - 1] = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
        if pretty { newline(depth: firstInContainer.count) }
    }

    private mutating func prepareValue() {
        if afterKey { afterKey = false; return }
        separate()
    }

    private mutating func closeContainer(_ byte: UInt8) {
        let wasEmpty = firstInContainer.removeLast()
        if pretty && !wasEmpty { newline(depth: firstInContainer.count) }
        bytes.append(byte)
        if pretty && firstInContainer.isEmpty { bytes.append(0x0A) }
    }

    private mutating func newline(depth: Int) {
        bytes.append(0x0A)
        for _ in 0..<depth { bytes.append(0x20); bytes.append(0x20) }
    }

    private mutating func appendEscaped(_ string: String) {
        var string = string
        bytes.append(UInt8(ascii: "\""))
        string.withUTF8 { utf8 in
            var runStart = 0
            for position in 0..<utf8.count {
                let byte = utf8[position]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < position { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<position])) }
                runStart = position + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    bytes.append(UInt8(ascii: "u"))
                    Hex.append(byte, minimumDigits: 4, to: &bytes)
                }
            }
            if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// Serialises compactly (or pretty) to bytes.
    public func serialized(pretty: Bool = false) -> [UInt8] {
        var writer = JSONWriter(pretty: pretty)
        writer.value(self)
        return writer.bytes
    }
}
