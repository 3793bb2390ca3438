import CarewatchCore

/// What an unquoted YAML scalar means. YAML readers disagree: YAML 1.1 readers (PyYAML, which
/// most OpenAPI tools use) read `yes`, `on`, `0755`, `1_000`, `1:30` and `2024-03-31` as a
/// bool, an octal number, a number, a base-60 number and a date, where YAML 1.2 readers see
/// strings, and they read `1e3` and `-.5` as strings where YAML 1.2 readers see numbers. A
/// scalar that the two read differently is refused with a request to quote it, so /docs and
/// /openapi.json never show a value that other tools read otherwise.
enum YAMLScalar {
    enum Resolved: Equatable {
        case value(JSONValue)
        /// Why the scalar must be quoted.
        case ambiguous(String)
    }

    static func resolve(plain text: String) -> Resolved {
        switch text {
        case "", "~", "null", "Null", "NULL": return .value(.null)
        case "true", "True", "TRUE": return .value(.bool(true))
        case "false", "False", "FALSE": return .value(.bool(false))
        case "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF":
            return .ambiguous("YAML 1.1 readers take it for a boolean")
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN":
            return .ambiguous("it is a number JSON cannot hold")
        case "=", "<<":
            return .ambiguous("YAML 1.1 readers give it a meaning of its own")
        default:
            break
        }
        guard let first = text.unicodeScalars.first, "0123456789+-.".unicodeScalars.contains(first) else { return .value(.string(text)) }
        if text.wholeMatch(of: timestamp) != nil { return .ambiguous("YAML 1.1 readers take it for a date") }
        let agreed = text.wholeMatch(of: decimal12) != nil && (text.wholeMatch(of: integer11) != nil || text.wholeMatch(of: float11) != nil)
        if agreed {
            guard let value = Double(text), value.isFinite else { return .ambiguous("it is not a number JSON can hold") }
            if !text.contains("."), !text.contains("e"), !text.contains("E"), abs(value) >= 9_007_199_254_740_992 {
                return .ambiguous("it is an integer too large to be exact in JSON")
            }
            return .value(.number(value))
        }
        if text.wholeMatch(of: decimal12) != nil || text.wholeMatch(of: other12) != nil
            || text.wholeMatch(of: integer11Any) != nil || text.wholeMatch(of: float11Any) != nil {
            return .ambiguous("YAML readers disagree on whether, or which, number it is")
        }
        return .value(.string(text))
    }

    // YAML 1.2 core schema numbers.
    static var decimal12: Regex<AnyRegexOutput> { Regex(#/[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?/#) }
    static var other12: Regex<AnyRegexOutput> { Regex(#/0o[0-7]+|0x[0-9a-fA-F]+/#) }
    // The subset of YAML 1.1 (PyYAML) numbers that read the same as in 1.2.
    static var integer11: Regex<AnyRegexOutput> { Regex(#/[-+]?(0|[1-9][0-9]*)/#) }
    static var float11: Regex<AnyRegexOutput> { Regex(#/[-+]?[0-9]+\.[0-9]*([eE][-+][0-9]+)?|\.[0-9]+([eE][-+][0-9]+)?/#) }
    // Every YAML 1.1 (PyYAML) number.
    static var integer11Any: Regex<AnyRegexOutput> { Regex(#/[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+/#) }
    static var float11Any: Regex<AnyRegexOutput> { Regex(#/[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?|\.[0-9_]+([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*/#) }
    /// YAML 1.1 timestamps, read loosely: any such shape is refused.
    static var timestamp: Regex<AnyRegexOutput> { Regex(#/[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?/#) }
}
