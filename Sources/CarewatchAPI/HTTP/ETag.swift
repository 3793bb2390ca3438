import HexEncoding
import HTTPEngine

/// Strong entity tags. A single resource's tag is its version (plus the representation
/// variant, since pretty and compact bodies differ byte for byte), so `If-Match` on a write
/// compares versions whichever variant the client read. Lists and statistics, which have no
/// version of their own, are tagged by a hash of their bytes.
enum ETag {
    static func version(_ stamp: EncodedCache.Stamp, variant: String? = nil) -> String {
        let base = "v" + Hex.string(stamp.major) + "." + Hex.string(stamp.minor)
        return "\"" + base + (variant.map { "+" + $0 } ?? "") + "\""
    }

    static func strong(for body: [UInt8]) -> String {
        // Two independent 64-bit FNV-1a variants: a 128-bit tag makes accidental collisions
        // between versions of one resource practically impossible.
        var first: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x6c62_272e_07bb_0142
        for byte in body {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 &+ 0x9e37_79b9
        }
        return "\"" + Hex.string(first, minimumDigits: 16) + Hex.string(second, minimumDigits: 16) + "\""
    }

    /// `If-None-Match`: weak comparison (RFC 9110 §13.1.2), `*` matches any current representation.
    static func noneMatchHits(_ header: String?, etag: String) -> Bool {
        guard let header else { return false }
        return tags(in: header).contains { $0 == "*" || opaque($0) == opaque(etag) }
    }

    /// `If-Match`: strong comparison (RFC 9110 §13.1.1) of versions, ignoring the variant;
    /// a weak tag never matches, and `*` matches only an existing resource.
    static func matchHolds(_ header: String?, current: String?) -> Bool {
        guard let header else { return true }
        let tags = tags(in: header)
        guard let current else { return false }
        return tags.contains { $0 == "*" || (!$0.hasPrefix("W/") && withoutVariant($0) == withoutVariant(current)) }
    }

    /// `If-None-Match` on a write (RFC 9110 §13.1.2): fails, so the write must not be made
    /// (412), when it is `*` and the resource exists (`PUT` with `If-None-Match: *` creates
    /// only), or names the current version (weak comparison, any variant).
    static func noneMatchHolds(_ header: String?, current: String?) -> Bool {
        guard let header, let current else { return true }
        return !tags(in: header).contains { $0 == "*" || withoutVariant(String(opaque($0))) == withoutVariant(current) }
    }

    /// `"v1.2+pretty"` → `"v1.2`, `"v1.2"` → `"v1.2`: the opening quote and version only.
    private static func withoutVariant(_ tag: String) -> Substring {
        let end = tag.firstIndex(of: "+") ?? tag.lastIndex(of: "\"").flatMap { $0 == tag.startIndex ? nil : $0 } ?? tag.endIndex
        return tag[..<end]
    }

    private static func tags(in header: String) -> [String] {
        header.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }

    private static func opaque(_ tag: String) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : Substring(tag)
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        var slice = Substring(self)
        while let first = slice.first, characters.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, characters.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
