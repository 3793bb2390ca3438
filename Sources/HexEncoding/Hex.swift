/// Hexadecimal digits, the one encoder of the package: ETags, inspection ids, CRC-32 checksums,
/// `\u` escapes in JSON, chunk sizes and request ids spell numbers with it in lowercase, and
/// percent-encoding in uppercase (as RFC 3986 §2.1 asks).
/// A leaf module (it depends on nothing), so that the engine and the core can share it while
/// knowing nothing of each other. Inlinable: chunk sizes and request ids are on the hot path.
public enum Hex {
    /// The ASCII digit of a value from 0 to 15.
    @inlinable
    public static func digit(_ nibble: UInt8, uppercase: Bool = false) -> UInt8 {
        nibble < 10 ? 0x30 &+ nibble : (uppercase ? 0x37 : 0x57) &+ nibble
    }

    /// Appends `value` in hexadecimal (lowercase unless asked): as many digits as it needs,
    /// zero-padded to at least `minimumDigits`.
    @inlinable
    public static func append<T: FixedWidthInteger & UnsignedInteger>(_ value: T, minimumDigits: Int = 1, uppercase: Bool = false,
                                                                     to out: inout [UInt8]) {
        let bits = UInt64(truncatingIfNeeded: value)
        let needed = max(1, (64 - bits.leadingZeroBitCount + 3) / 4)
        var index = max(needed, minimumDigits)
        while index > 0 {
            index -= 1
            let shift = index * 4
            out.append(digit(shift < 64 ? UInt8(truncatingIfNeeded: bits >> UInt64(shift)) & 0xF : 0, uppercase: uppercase))
        }
    }

    /// `value` in lowercase hexadecimal, zero-padded to at least `minimumDigits`.
    @inlinable
    public static func string<T: FixedWidthInteger & UnsignedInteger>(_ value: T, minimumDigits: Int = 1) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(minimumDigits, 16))
        append(value, minimumDigits: minimumDigits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
