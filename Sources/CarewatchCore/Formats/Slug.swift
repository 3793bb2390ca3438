/// URL-safe names for councils, derived from the official name so that
/// `/v1/councils/kingston-upon-hull-city-of` works without anyone choosing slugs by hand.
public enum Slug {
    /// Lowercase ASCII letters and digits; every other run of characters becomes one `-`;
    /// no leading or trailing `-`. Common accented Latin letters keep their base letter
    /// (`Ynys Môn` → `ynys-mon`) rather than splitting the word.
    public static func derive(from name: String) -> String {
        var result: [UInt8] = []
        var pendingDash = false
        for scalar in name.unicodeScalars {
            var value = scalar.value
            if let base = latinBase[value] { value = base }
            let byte: UInt8?
            switch value {
            case 0x61...0x7A, 0x30...0x39: byte = UInt8(value)
            case 0x41...0x5A: byte = UInt8(value + 0x20)
            default: byte = nil
            }
            if let byte {
                if pendingDash, !result.isEmpty { result.append(UInt8(ascii: "-")) }
                pendingDash = false
                result.append(byte)
            } else {
                pendingDash = true
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// Whether `text` is a well-formed slug (what `derive` would leave unchanged).
    public static func isValid(_ text: String) -> Bool {
        !text.isEmpty && derive(from: text) == text
    }
}

/// Latin-1 letters with diacritics → base letter (the standard library has no normaliser).
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
