import Glibc

/// The `Date:` header line, rebuilt at most once a second per event loop (RFC 9110 IMF-fixdate),
/// so no formatter runs per response.
struct DateCache {
    private var second: Int = -1
    private(set) var line: [UInt8] = []

    mutating func current() -> [UInt8] {
        let now = time(nil)
        if now != second {
            second = now
            line = DateCache.format(now)
        }
        return line
    }

    static func format(_ t: Int) -> [UInt8] {
        var tt = t
        var tm = Glibc.tm()
        gmtime_r(&tt, &tm)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var out = Array("Date: ".utf8)
        func two(_ v: Int32) { out.append(UInt8(v / 10) + 48); out.append(UInt8(v % 10) + 48) }
        out += days[Int(tm.tm_wday)].utf8
        out += ", ".utf8
        two(tm.tm_mday)
        out.append(0x20)
        out += months[Int(tm.tm_mon)].utf8
        out.append(0x20)
        appendDecimal(Int(tm.tm_year) + 1900, to: &out)
        out.append(0x20)
        two(tm.tm_hour); out.append(UInt8(ascii: ":"))
        two(tm.tm_min); out.append(UInt8(ascii: ":"))
        two(tm.tm_sec)
        out += " GMT\r\n".utf8
        return out
    }
}
