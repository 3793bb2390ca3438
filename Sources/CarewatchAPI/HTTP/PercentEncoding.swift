import HexEncoding

/// RFC 3986 percent-encoding for the URLs the server writes (list links, curl lines).
enum PercentEncoding {
    /// Everything but the unreserved characters, and those in `keeping`, as `%XX`.
    static func encode(_ text: String, keeping: String = "") -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                if keeping.utf8.contains(byte) {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "%"))
                    Hex.append(byte, minimumDigits: 2, uppercase: true, to: &out)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
