/// Reads the members of one JSON object for a domain decoder: rejects members it does not
/// know, names wrong types, and collects every problem instead of stopping at the first.
struct FieldReader {
    let object: JSONObject
    let prefix: String
    var errors: [FieldError] = []
    /// When the value is not an object only that is reported, not every member as missing.
    private var notAnObject = false

    /// `known` lists every accepted member; anything else is an "unknown field" error.
    init(_ json: JSONValue, known: Set<String>, prefix: String = "") {
        self.prefix = prefix
        if case .object(let object) = json {
            self.object = object
            for key in object.keys where !known.contains(key) {
                errors.append(FieldError(field: prefix + key, message: "unknown field"))
            }
        } else {
            self.object = JSONObject()
            notAnObject = true
            errors.append(FieldError(field: prefix.isEmpty ? "body" : String(prefix.dropLast()), message: "must be a JSON object, not \(json.typeName)"))
        }
    }

    func name(_ key: String) -> String { prefix + key }

    mutating func fail(_ key: String, _ message: String) { errors.append(FieldError(field: prefix + key, message: message)) }

    /// The member, or nil when absent or null (reporting "is required" when it must be there).
    mutating func present(_ key: String, required: Bool) -> JSONValue? {
        guard let value = object[key], !value.isNull else {
            if required && !notAnObject { fail(key, "is required") }
            return nil
        }
        return value
    }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard let value = present(key, required: required) else { return nil }
        guard case .string(let string) = value else { fail(key, "must be a string, not \(value.typeName)"); return nil }
        return string
    }

    mutating func int(_ key: String, required: Bool = false) -> Int? {
        guard let value = present(key, required: required) else { return nil }
        guard case .number = value else { fail(key, "must be an integer, not \(value.typeName)"); return nil }
        guard let integer = value.intValue else { fail(key, "must be an integer"); return nil }
        return integer
    }

    mutating func uint64(_ key: String) -> UInt64? {
        guard let value = int(key), value >= 0 else { return nil }
        return UInt64(value)
    }

    mutating func double(_ key: String, required: Bool = false) -> Double? {
        guard let value = present(key, required: required) else { return nil }
        guard case .number(let number) = value else { fail(key, "must be a number, not \(value.typeName)"); return nil }
        return number
    }

    mutating func date(_ key: String, required: Bool = false) -> CalendarDate? {
        guard let text = string(key, required: required) else { return nil }
        guard let date = CalendarDate(iso: text) else { fail(key, "must be a date that exists, written YYYY-MM-DD"); return nil }
        return date
    }

    mutating func timestamp(_ key: String) -> Timestamp? {
        guard let text = string(key) else { return nil }
        guard let timestamp = Timestamp(rfc3339: text) else { fail(key, "must be an RFC 3339 UTC instant"); return nil }
        return timestamp
    }

    mutating func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, required: Bool = false) -> E? where E.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let value = E(rawValue: text) else {
            fail(key, "must be one of " + E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
            return nil
        }
        return value
    }

    /// An object whose members are all strings (`{"turnover_rate": "u"}`).
    mutating func stringMap(_ key: String) -> [String: String]? {
        guard let value = present(key, required: false) else { return nil }
        guard case .object(let members) = value else { fail(key, "must be an object of strings, not \(value.typeName)"); return nil }
        var result: [String: String] = [:]
        for (name, item) in members {
            guard case .string(let string) = item else { fail("\(key).\(name)", "must be a string, not \(item.typeName)"); continue }
            result[name] = string
        }
        return result
    }

    mutating func stringArray(_ key: String) -> [String]? {
        guard let value = present(key, required: false) else { return nil }
        guard case .array(let items) = value else { fail(key, "must be an array of strings, not \(value.typeName)"); return nil }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let string) = item else { fail("\(key)[\(index)]", "must be a string, not \(item.typeName)"); continue }
            result.append(string)
        }
        return result
    }
}
