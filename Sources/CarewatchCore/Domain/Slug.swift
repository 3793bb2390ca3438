/// URL-safe names for councils, derived from the official name so that
/// `/v1/councils/kingston-upon-hull-city-of` works without anyone choosing slugs by hand.
/// Every path that makes a slug (create, replace or patch without one, every import format,
/// the embedded data) calls `derive`, so a council gets the same slug however it arrives.
public enum Slug {
    /// The longest slug, in bytes.
    public static let maximumLength = 100

    /// The rule, in order:
    /// - `&` reads as "and" (`Brighton & Hove` → `brighton-and-hove`, as its official name);
    /// - apostrophes are dropped (`King's Lynn` → `kings-lynn`);
    /// - common accented Latin letters keep their base letter (`Ynys Môn` → `ynys-mon`);
    /// - ASCII letters are lowercased and kept with digits; every other run of characters
    ///   becomes one `-`, with none leading or trailing;
    /// - a result longer than `maximumLength` is cut at the last `-` that fits.
    /// The result is empty when the name has no letter or digit the rule keeps.
    public static func derive(from name: String) -> String {
        var result: [UInt8] = []
        var pendingDash = false
        func append(_ byte: UInt8) {
            if pendingDash, !result.isEmpty { result.append(UInt8(ascii: "-")) }
            pendingDash = false
            result.append(byte)
        }
        for scalar in name.unicodeScalars {
            var value = scalar.value
            if let base = latinBase[value] { value = base }
            switch value {
            case 0x61...0x7A, 0x30...0x39: append(UInt8(value))
            case 0x41...0x5A: append(UInt8(value + 0x20))
            case 0x27, 0x2019: continue                              // ' and ’
            case 0x26:                                               // &
                pendingDash = true
                for byte in "and".utf8 { append(byte) }
                pendingDash = true
            default: pendingDash = true
            }
        }
        if result.count > maximumLength {
            let cut = result[...maximumLength].lastIndex(of: UInt8(ascii: "-")) ?? maximumLength
            result.removeSubrange(cut...)
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether `text` is a well-formed slug: 1 to `maximumLength` lowercase ASCII letters,
    /// digits and single hyphens, starting and ending with a letter or digit.
    public static func isValid(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (1...maximumLength).contains(utf8.count), utf8.first != UInt8(ascii: "-"), utf8.last != UInt8(ascii: "-") else { return false }
        var previousHyphen = false
        for byte in utf8 {
            let isHyphen = byte == UInt8(ascii: "-")
            guard isHyphen || (byte >= 0x61 && byte <= 0x7A) || (byte &- 48 < 10) else { return false }
            if isHyphen && previousHyphen { return false }
            previousHyphen = isHyphen
        }
        return true
    }
}

/// Latin-1 letters with diacritics, and the Welsh ŵ and ŷ, → base letter (the standard
/// library has no Unicode normaliser).
private let latinBase: [UInt32: UInt32] = {
    var map: [UInt32: UInt32] = [:]
    let groups: [(String, Character)] = [
        ("ÀÁÂÃÄÅ", "a"), ("àáâãäå", "a"), ("Çç", "c"), ("ÈÉÊËèéêë", "e"), ("ÌÍÎÏìíîï", "i"), ("Ññ", "n"),
        ("ÒÓÔÕÖØòóôõöø", "o"), ("ÙÚÛÜùúûü", "u"), ("ÝýÿŷŶ", "y"), ("Ŵŵ", "w"),
    ]
    for (letters, base) in groups {
        for scalar in letters.unicodeScalars { map[scalar.value] = base.unicodeScalars.first!.value }
    }
    return map
}()
