/// The decoded query string, order and duplicates kept (`a=1&a=2` gives `all("a") == ["1","2"]`).
public struct QueryParameters: Sendable, Sequence {
    public typealias Element = (name: String, value: String)
    var pairs: [Element]

    public init() { pairs = [] }
    public init(_ pairs: [(String, String)]) { self.pairs = pairs.map { (name: $0.0, value: $0.1) } }

    /// Parses a raw query (without the `?`): `+` is a space, `%XX` escapes are decoded.
    /// Returns nil on an invalid escape or invalid UTF-8, which the engine answers with 400.
    public init?(parsing raw: String) {
        var raw = raw
        guard let parsed = raw.withUTF8({ QueryParameters.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    public subscript(_ name: String) -> String? {
        for p in pairs where p.name == name { return p.value }
        return nil
    }

    public func all(_ name: String) -> [String] { pairs.compactMap { $0.name == name ? $0.value : nil } }
    public var names: [String] { pairs.map(\.name) }
    public var isEmpty: Bool { pairs.isEmpty }
    public var count: Int { pairs.count }
    public func makeIterator() -> IndexingIterator<[Element]> { pairs.makeIterator() }

    static func parse(_ bytes: UnsafeRawBufferPointer) -> QueryParameters? {
        var result = QueryParameters()
        if bytes.isEmpty { return result }
        var start = 0
        let n = bytes.count
        while start <= n {
            var end = start
            while end < n && bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                var eq = start
                while eq < end && bytes[eq] != UInt8(ascii: "=") { eq += 1 }
                guard let name = percentDecode(bytes, start, eq, plusIsSpace: true) else { return nil }
                let value: String
                if eq < end {
                    guard let v = percentDecode(bytes, eq + 1, end, plusIsSpace: true) else { return nil }
                    value = v
                } else {
                    value = ""
                }
                result.pairs.append((name: name, value: value))
            }
            start = end + 1
        }
        return result
    }
}

@inline(__always)
func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
    default: return nil
    }
}

/// Decodes bytes[from..<to]; nil for a malformed escape or a result that is not UTF-8.
/// The common case (nothing to decode) builds the string straight from the bytes.
func percentDecode(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int, plusIsSpace: Bool) -> String? {
    var needs = false
    var i = from
    while i < to {
        let b = bytes[i]
        if b == UInt8(ascii: "%") || (plusIsSpace && b == UInt8(ascii: "+")) || b >= 0x80 { needs = true; break }
        i += 1
    }
    if !needs {
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self)
    }
    var out = [UInt8]()
    out.reserveCapacity(to - from)
    i = from
    while i < to {
        let b = bytes[i]
        if b == UInt8(ascii: "%") {
            guard i + 2 < to else { return nil }
            guard let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2]) else { return nil }
            out.append(h << 4 | l)
            i += 3
        } else if plusIsSpace && b == UInt8(ascii: "+") {
            out.append(0x20)
            i += 1
        } else {
            out.append(b)
            i += 1
        }
    }
    return String(validating: out, as: UTF8.self)
}
