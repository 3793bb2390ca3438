/// Header fields in the order they were sent or added. Names compare case-insensitively (ASCII)
/// without allocating, because lookups happen on every request.
public struct HTTPHeaders: Sendable, Sequence, CustomStringConvertible {
    public typealias Element = (name: String, value: String)
    @usableFromInline var fields: [Element]

    public init() { fields = [] }
    public init(_ pairs: [(String, String)]) { fields = pairs.map { (name: $0.0, value: $0.1) } }
    /// Room for `n` fields, counting those middleware adds on the way out (one allocation).
    public init(reservingCapacity n: Int) { fields = []; fields.reserveCapacity(n) }

    public subscript(_ name: String) -> String? {
        for f in fields where asciiCaseInsensitiveEquals(f.name, name) { return f.value }
        return nil
    }

    public func values(_ name: String) -> [String] {
        fields.compactMap { asciiCaseInsensitiveEquals($0.name, name) ? $0.value : nil }
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name: name, value: value))
    }

    public mutating func remove(_ name: String) {
        // Looked for first: `set` on a name not there (the usual case) then writes nothing.
        guard contains(name) else { return }
        fields.removeAll { asciiCaseInsensitiveEquals($0.name, name) }
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { asciiCaseInsensitiveEquals($0.name, name) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> { fields.makeIterator() }

    public var description: String { fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }
}

@inline(__always)
func asciiLower(_ b: UInt8) -> UInt8 { (b &- 65) < 26 ? b | 0x20 : b }

/// ASCII case-insensitive comparison on UTF-8 bytes; no lowercased() copies.
@inlinable @inline(__always)
func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    let au = a.utf8, bu = b.utf8
    guard au.count == bu.count else { return false }
    var i = au.makeIterator(), j = bu.makeIterator()
    while let x = i.next(), let y = j.next() {
        if x != y {
            let lx = (x &- 65) < 26 ? x | 0x20 : x
            let ly = (y &- 65) < 26 ? y | 0x20 : y
            if lx != ly { return false }
        }
    }
    return true
}
