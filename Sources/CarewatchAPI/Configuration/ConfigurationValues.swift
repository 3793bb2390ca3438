#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif
import HTTPEngine

/// Parsers for the textual values of flags and environment variables. Each returns the value
/// or a reason that completes the sentence "'VALUE' is …", so that flag and environment
/// errors read the same way and name the value that was refused.
enum ConfigurationValues {
    struct Invalid: Error, Equatable {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    static func port(_ text: String) throws(Invalid) -> Int {
        guard let value = strictInteger(text), (0...65_535).contains(value) else {
            throw Invalid("not a port (0-65535)")
        }
        return value
    }

    /// An address literal (brackets around IPv6 allowed), `*`, or a host name such as
    /// `localhost`, which is resolved when the server starts and listens on every address it
    /// resolves to. Only the spelling is checked here: the parser touches no network.
    static func host(_ text: String) throws(Invalid) -> String {
        if text == "*" { return text }
        var literal = text
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = String(literal.dropFirst().dropLast()) }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 || inet_pton(AF_INET6, literal, &v6) == 1 { return literal }
        if isHostName(text) { return text.lowercased() }
        throw Invalid("not an IP address (e.g. 0.0.0.0, ::, 127.0.0.1, ::1), * or a host name (e.g. localhost)")
    }

    /// RFC 1123: dot-separated labels of 1 to 63 letters, digits and inner hyphens, 253 bytes
    /// at most, not all digits (so that a mistyped address such as 1.2.3 is not taken for a name).
    private static func isHostName(_ text: String) -> Bool {
        let name = text.hasSuffix(".") ? String(text.dropLast()) : text
        guard (1...253).contains(name.utf8.count) else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let wellFormed = labels.allSatisfy { label in
            (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                && label.utf8.allSatisfy { $0 == UInt8(ascii: "-") || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 &- 48 < 10) }
        }
        return wellFormed && !labels.allSatisfy { $0.utf8.allSatisfy { $0 &- 48 < 10 } }
    }

    /// A count with bounds; `what` names the unit in the message.
    static func integer(_ text: String, in range: ClosedRange<Int>) throws(Invalid) -> Int {
        guard let value = strictInteger(text), range.contains(value) else {
            throw Invalid("not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// Bytes, with an optional binary suffix: `1048576`, `512K`, `512KiB`, `1M`, `1MiB`, `1G`.
    static func byteSize(_ text: String) throws(Invalid) -> Int {
        let invalid = Invalid("not a size in bytes from 1 to 1TiB (e.g. 1048576, 512KiB, 64MiB)")
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 13, let number = Int(digits) else { throw invalid }
        let multiplier: Int
        switch text.dropFirst(digits.count).lowercased() {
        case "", "b": multiplier = 1
        case "k", "kib": multiplier = 1 << 10
        case "m", "mib": multiplier = 1 << 20
        case "g", "gib": multiplier = 1 << 30
        default: throw invalid
        }
        let (value, overflow) = number.multipliedReportingOverflow(by: multiplier)
        guard !overflow, value >= 1, value <= 1 << 40 else { throw invalid }
        return value
    }

    /// The range a duration setting takes, said the way `--help`, the README and refusals
    /// say it. The floors keep a typo such as `1ms` from turning a setting into a flood: a
    /// heartbeat a millisecond apart, a snapshot written continuously, or every client timed
    /// out before its request could arrive.
    struct DurationBounds: Sendable {
        /// The shortest duration taken.
        let minimum: Double
        /// Whether 0 is taken too (a setting where 0 means "off" or "immediately").
        let zero: Bool

        static let longest = 86_400.0
        /// Timeouts, stream pacing and snapshot intervals: 1 s to 1 day.
        static let oneSecond = DurationBounds(minimum: 1, zero: false)
        static let oneSecondOrOff = DurationBounds(minimum: 1, zero: true)
        /// 0 (immediately) up to 1 day.
        static let anyFromZero = DurationBounds(minimum: 0, zero: true)
        /// Above 0, up to 1 day.
        static let anyAboveZero = DurationBounds(minimum: 0, zero: false)

        /// "1s to 1 day", "0, or 1s to 1 day", "0 to 1 day", "above 0, to 1 day".
        var text: String {
            if minimum == 0 { return zero ? "0 to 1 day" : "above 0, to 1 day" }
            let floor = minimum < 1 ? "\(Int((minimum * 1000).rounded()))ms" : "\(Int(minimum))s"
            return zero ? "0, or \(floor) to 1 day" : "\(floor) to 1 day"
        }

        func contains(_ seconds: Double) -> Bool {
            guard seconds <= DurationBounds.longest else { return false }
            if seconds == 0 { return zero }
            return seconds > 0 && seconds >= minimum
        }
    }

    /// Seconds, plain or with a unit: `10`, `2.5`, `10s`, `500ms`, `5m`, within `bounds`.
    static func duration(_ text: String, _ bounds: DurationBounds) throws(Invalid) -> Double {
        let invalid = Invalid("not a duration of \(bounds.text) (e.g. 10, 2.5s, 500ms, 5m)")
        var number = Substring(text)
        var scale = 1.0
        if number.hasSuffix("ms") { number = number.dropLast(2); scale = 0.001 }
        else if number.hasSuffix("s") { number = number.dropLast(); scale = 1 }
        else if number.hasSuffix("m") { number = number.dropLast(); scale = 60 }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              number.first != ".", number.last != ".", let value = Double(number) else { throw invalid }
        let seconds = value * scale
        guard seconds.isFinite, bounds.contains(seconds) else { throw invalid }
        return seconds
    }

    static func boolean(_ text: String) throws(Invalid) -> Bool {
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw Invalid("not a boolean (true/false, on/off, yes/no, 1/0)")
        }
    }

    static func logLevel(_ text: String) throws(Invalid) -> CarewatchConfiguration.LogLevel {
        let lowered = text.lowercased()
        if lowered == "warn" { return .warning }
        guard let level = CarewatchConfiguration.LogLevel(rawValue: lowered) else {
            throw Invalid("not a log level (debug, info, warning, error)")
        }
        return level
    }

    static func path(_ text: String) throws(Invalid) -> String {
        guard !text.contains("\0") else { throw Invalid("not a path") }
        return text
    }

    /// Comma-separated, blanks around items ignored, empty items dropped.
    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { trimmed($0) }.filter { !$0.isEmpty }
    }

    /// A bearer key must survive an `Authorization` header unchanged: visible ASCII, no comma
    /// (the list separator) and no spaces.
    static func apiKeys(_ text: String) throws(Invalid) -> [String] {
        let keys = list(text)
        for key in keys where !isValidAPIKey(key) {
            throw Invalid("not a list of API keys (visible ASCII characters without spaces or commas)")
        }
        return keys
    }

    static func isValidAPIKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") }
    }

    /// Origins as browsers send them (`scheme://host[:port]`, no path), normalised as the CORS
    /// policy compares them (`HTTPS://Dash.Example:443` is `https://dash.example`); or `*`.
    static func origins(_ text: String) throws(Invalid) -> [String] {
        var origins: [String] = []
        for origin in list(text) {
            guard let normalized = origin == "*" ? origin : CORSMiddleware.normalizedOrigin(origin) else {
                throw Invalid("not a list of origins (scheme://host[:port], e.g. https://dash.example.org) or *")
            }
            origins.append(normalized)
        }
        return origins
    }

    static func isValidOrigin(_ origin: String) -> Bool {
        origin == "*" || CORSMiddleware.normalizedOrigin(origin) != nil
    }

    private static func strictInteger(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
