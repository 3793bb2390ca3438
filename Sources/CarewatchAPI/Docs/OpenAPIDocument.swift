import CarewatchCore

/// The parts of an OpenAPI 3.1 document the docs page shows, with local `$ref`s resolved.
struct OpenAPIDocument {
    let root: JSONValue

    init(_ root: JSONValue) {
        self.root = root
    }

    struct Operation {
        var method: String
        var path: String
        var operation: JSONValue
        /// Path-level parameters, then the operation's own (which win on the same name and place).
        var parameters: [JSONValue]

        var id: String {
            if let id = operation["operationId"]?.stringValue { return id }
            return method + "-" + path.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
        }

        var tags: [String] { operation["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var summary: String? { operation["summary"]?.stringValue }
        var needsKey: Bool { !(operation["security"]?.arrayValue ?? []).isEmpty }
    }

    static let methods = ["get", "head", "post", "put", "patch", "delete", "options", "trace"]

    var title: String { root["info"]?["title"]?.stringValue ?? "API" }
    var version: String { root["info"]?["version"]?.stringValue ?? "" }
    var serverURL: String {
        let url = root["servers"]?.arrayValue?.first?["url"]?.stringValue ?? "http://localhost:8080"
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// Every operation, in the document's order of paths and methods.
    var operations: [Operation] {
        var result: [Operation] = []
        for (path, item) in root["paths"]?.objectValue ?? JSONObject() {
            let shared = item["parameters"]?.arrayValue ?? []
            for (method, operation) in item.objectValue ?? JSONObject() where OpenAPIDocument.methods.contains(method) {
                var parameters = shared
                for parameter in operation["parameters"]?.arrayValue ?? [] {
                    let own = resolve(parameter)
                    parameters.removeAll { resolve($0)["name"] == own["name"] && resolve($0)["in"] == own["in"] }
                    parameters.append(parameter)
                }
                result.append(Operation(method: method, path: path, operation: operation, parameters: parameters))
            }
        }
        return result
    }

    /// Tags in the order the document lists them, then any used but not listed.
    var tagOrder: [String] {
        var order = root["tags"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        for operation in operations {
            for tag in operation.tags where !order.contains(tag) { order.append(tag) }
        }
        return order
    }

    func tagDescription(_ tag: String) -> String? {
        root["tags"]?.arrayValue?.first { $0["name"]?.stringValue == tag }?["description"]?.stringValue
    }

    /// Components of one kind (`schemas`, `parameters`, `headers`, `responses`, `securitySchemes`).
    func components(_ kind: String) -> JSONObject {
        root["components"]?[kind]?.objectValue ?? JSONObject()
    }

    /// `#/components/schemas/Council` → (`schemas`, `Council`).
    static func componentReference(_ value: JSONValue) -> (kind: String, name: String)? {
        guard let reference = value["$ref"]?.stringValue, reference.hasPrefix("#/components/") else { return nil }
        let parts = reference.dropFirst("#/components/".count).split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// A JSON pointer segment (RFC 6901): `~1` is `/`, `~0` is `~`.
    static func unescapePointer(_ segment: String) -> String {
        guard segment.contains("~") else { return segment }
        return segment.split(separator: "~1", omittingEmptySubsequences: false).joined(separator: "/")
            .split(separator: "~0", omittingEmptySubsequences: false).joined(separator: "~")
    }

    /// Follows local `$ref`s (a chain of them too) to the value they name.
    func resolve(_ value: JSONValue) -> JSONValue {
        var current = value
        for _ in 0..<16 {
            guard let reference = current["$ref"]?.stringValue, reference.hasPrefix("#/") else { return current }
            var node: JSONValue? = root
            for part in reference.dropFirst(2).split(separator: "/") {
                node = node?[OpenAPIDocument.unescapePointer(String(part))]
            }
            guard let found = node else { return current }
            current = found
        }
        return current
    }
}
