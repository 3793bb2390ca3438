/// Character classes from RFC 9110/9112 as bit masks: branch-free and no table loads per byte.
enum ByteClass {
    @inline(__always)
    static func isToken(_ b: UInt8) -> Bool {
        if b < 64 { return (0x03ff_6cfa_0000_0000 as UInt64) >> UInt64(b) & 1 == 1 }
        if b < 128 { return (0x57ff_ffff_c7ff_fffe as UInt64) >> UInt64(b &- 64) & 1 == 1 }
        return false
    }

    /// Bytes allowed in a request-target: visible ASCII except `#` (fragments never reach a server).
    @inline(__always)
    static func isTargetByte(_ b: UInt8) -> Bool {
        if b < 64 { return (0xffff_fff6_0000_0000 as UInt64) >> UInt64(b) & 1 == 1 }
        if b < 128 { return (0x7fff_ffff_ffff_ffff as UInt64) >> UInt64(b &- 64) & 1 == 1 }
        return false
    }

    /// field-vchar / SP / HTAB / obs-text; everything else (NUL, CR, other controls, DEL) is refused.
    @inline(__always)
    static func isFieldValueByte(_ b: UInt8) -> Bool {
        b == 0x09 || (b >= 0x20 && b != 0x7F)
    }

    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
}
