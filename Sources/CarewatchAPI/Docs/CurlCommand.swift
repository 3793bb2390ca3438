import CarewatchCore

/// A curl command line for an operation, ready to paste into a POSIX shell: the document's
/// examples fill its path and query, its body is the request example, and a write takes its
/// key from `$CAREWATCH_API_KEY`.
enum CurlCommand {
    static func make(_ operation: OpenAPIDocument.Operation, in document: OpenAPIDocument) -> String {
        var path = operation.path
        var query: [String] = []
        for reference in operation.parameters {
            let parameter = document.resolve(reference)
            guard let name = parameter["name"]?.stringValue else { continue }
            switch parameter["in"]?.stringValue {
            case "path":
                let value = example(of: parameter, in: document).map(text) ?? name.uppercased()
                path = path.split(separator: "{\(name)}", omittingEmptySubsequences: false)
                    .joined(separator: PercentEncoding.encode(value))
            case "query":
                let required = parameter["required"]?.boolValue == true
                let explicit = parameter["example"] ?? parameter["examples"]?.objectValue?.entries.first?.value["value"]
                guard required || explicit != nil, let value = example(of: parameter, in: document).map(text) else { continue }
                query.append(PercentEncoding.encode(name) + "=" + PercentEncoding.encode(value, keeping: ",:/"))
            default:
                continue
            }
        }
        var words = ["curl", "-s"]
        // An event stream is shown as its events arrive, not when curl's buffer fills.
        if operation.operation["responses"]?["200"]?["content"]?["text/event-stream"] != nil { words.append("-N") }
        switch operation.method {
        case "get": break
        case "head": words.append("-I")
        case "options": words += ["-i", "-X", "OPTIONS"]
        default: words += ["-X", operation.method.uppercased()]
        }
        words.append(quoted(document.serverURL + path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))))
        if operation.needsKey { words += ["-H", "\"Authorization: Bearer $CAREWATCH_API_KEY\""] }
        if let body = operation.operation["requestBody"].map(document.resolve),
           let content = body["content"]?.objectValue, let first = content.entries.first {
            let chosen = content.entries.first { $0.value["example"] != nil || $0.value["examples"] != nil } ?? first
            words += ["-H", quoted("Content-Type: " + chosen.key)]
            let example = chosen.value["example"] ?? chosen.value["examples"]?.objectValue?.entries.first?.value["value"]
            switch (example, chosen.key.contains("json")) {
            case (let value?, true): words += ["-d", quoted(String(decoding: value.serialized(), as: UTF8.self))]
            case (.string(let text)?, false): words += ["--data-binary", ansiQuoted(text)]
            case (_, true): words += ["-d", "@body.json"]
            default: words += ["--data-binary", "@body" + (chosen.key.contains("csv") ? ".csv" : "")]
            }
        }
        return words.joined(separator: " ")
    }

    /// A parameter's example: its own (`example`, or the first of `examples`), else its schema's.
    static func example(of parameter: JSONValue, in document: OpenAPIDocument) -> JSONValue? {
        if let value = parameter["example"] { return value }
        if let first = parameter["examples"]?.objectValue?.entries.first { return document.resolve(first.value)["value"] }
        guard let schema = parameter["schema"].map(document.resolve) else { return nil }
        return schema["example"] ?? schema["default"] ?? schema["enum"]?.arrayValue?.first
    }

    /// A scalar as it goes in a URL (numbers without a needless `.0`).
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): return string
        case .number: return String(decoding: value.serialized(), as: UTF8.self)
        case .bool(let bool): return bool ? "true" : "false"
        case .null: return ""
        default: return String(decoding: value.serialized(), as: UTF8.self)
        }
    }

    /// Single-quoted for a POSIX shell.
    static func quoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: #"'\''"#) + "'"
    }

    /// `$'…'` (bash, zsh, ksh) for text with line breaks.
    static func ansiQuoted(_ text: String) -> String {
        var out = "$'"
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out + "'"
    }
}
