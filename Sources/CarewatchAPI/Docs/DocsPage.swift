import CarewatchCore

/// `/docs`: the whole API reference as one HTML page, rendered from openapi.yaml on the server.
/// Every operation (with a curl line), parameter, request body, response, header, schema and
/// example is on it; its style is inline and it has no script, so it reads the same without
/// JavaScript, offline, and in a terminal browser.
struct DocsPage {
    let document: OpenAPIDocument
    private var html = ""
    /// Operations already shown in full, by their rendered body: a repeat (the OPTIONS answer
    /// every path shares) points at the first instead of repeating it.
    private var shownBodies: [String: (id: String, label: String)] = [:]

    static func render(_ document: OpenAPIDocument) -> String {
        var page = DocsPage(document: document)
        page.renderPage()
        return page.html
    }

    private init(document: OpenAPIDocument) {
        self.document = document
    }

    private mutating func renderPage() {
        let title = "\(document.title) \(document.version)"
        html += """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(title)) — reference</title>
        <link rel="icon" href="data:,">
        <style>\(DocsPage.style)</style>
        </head>
        <body>
        <a class="skip" href="#operations">Skip to the operations</a>
        <header>
        <h1>\(e(document.title)) <span class="version">\(e(document.version))</span></h1>

        """
        if let summary = document.root["info"]?["summary"]?.stringValue { html += "<p class=\"lead\">\(HTMLText.inline(summary))</p>\n" }
        html += """
        <nav aria-label="Elsewhere"><a href="/">Dashboard</a> · <a href="/openapi.yaml">openapi.yaml</a> · <a href="/openapi.json">openapi.json</a></nav>
        </header>
        <main>

        """
        renderOverview()
        renderContents()
        renderOperations()
        renderSchemas()
        renderSharedComponents()
        html += "</main>\n<footer><p>Rendered by the server from the openapi.yaml it serves.</p></footer>\n</body>\n</html>\n"
    }

    // MARK: Overview and contents

    private mutating func renderOverview() {
        html += "<section id=\"overview\" aria-labelledby=\"overview-title\">\n<h2 id=\"overview-title\">Overview</h2>\n"
        if let description = document.root["info"]?["description"]?.stringValue { html += HTMLText.prose(description) }
        if let servers = document.root["servers"]?.arrayValue, !servers.isEmpty {
            html += "<h3>Servers</h3>\n<ul>\n"
            for server in servers {
                html += "<li><code>\(e(server["url"]?.stringValue ?? ""))</code>"
                if let description = server["description"]?.stringValue { html += " — " + HTMLText.inline(description) }
                html += "</li>\n"
            }
            html += "</ul>\n"
        }
        let schemes = document.components("securitySchemes")
        if !schemes.isEmpty {
            html += "<h3>Authentication</h3>\n<dl>\n"
            for (name, scheme) in schemes {
                html += "<dt id=\"security-\(attribute(name))\"><code>\(e(name))</code>: \(e(scheme["type"]?.stringValue ?? ""))"
                if let kind = scheme["scheme"]?.stringValue { html += " (\(e(kind)))" }
                html += "</dt>\n<dd>\(HTMLText.prose(scheme["description"]?.stringValue ?? ""))</dd>\n"
            }
            html += "</dl>\n"
        }
        if let license = document.root["info"]?["license"], let name = license["name"]?.stringValue {
            html += "<p>Licence: "
            if let url = license["url"]?.stringValue, url.hasPrefix("http") {
                html += "<a href=\"\(attribute(url))\" rel=\"external noreferrer\">\(e(name))</a>"
            } else {
                html += e(name)
            }
            html += "</p>\n"
        }
        html += "</section>\n"
    }

    private mutating func renderContents() {
        html += "<nav id=\"contents\" aria-labelledby=\"contents-title\">\n<h2 id=\"contents-title\">Operations</h2>\n"
        for tag in document.tagOrder {
            let operations = document.operations.filter { $0.tags.first == tag }
            guard !operations.isEmpty else { continue }
            html += "<h3><a href=\"#tag-\(attribute(tag))\">\(e(tag))</a></h3>\n<ul>\n"
            for operation in operations {
                html += "<li><a href=\"#op-\(attribute(operation.id))\">\(methodBadge(operation.method)) <code>\(e(operation.path))</code></a>"
                if let summary = operation.summary { html += " — " + HTMLText.inline(summary) }
                html += "</li>\n"
            }
            html += "</ul>\n"
        }
        let untagged = document.operations.filter { $0.tags.isEmpty }
        if !untagged.isEmpty {
            html += "<h3><a href=\"#tag-untagged\">other</a></h3>\n<ul>\n"
            for operation in untagged {
                html += "<li><a href=\"#op-\(attribute(operation.id))\">\(methodBadge(operation.method)) <code>\(e(operation.path))</code></a></li>\n"
            }
            html += "</ul>\n"
        }
        html += "<p><a href=\"#schemas\">Schemas</a> · <a href=\"#shared\">Shared parameters, headers and responses</a></p>\n</nav>\n"
    }

    // MARK: Operations

    private mutating func renderOperations() {
        html += "<section id=\"operations\" aria-label=\"Operations\">\n"
        for tag in document.tagOrder {
            let operations = document.operations.filter { $0.tags.first == tag }
            guard !operations.isEmpty else { continue }
            html += "<h2 id=\"tag-\(attribute(tag))\">\(e(tag))</h2>\n"
            if let description = document.tagDescription(tag) { html += HTMLText.prose(description) }
            for operation in operations { renderOperation(operation) }
        }
        let untagged = document.operations.filter { $0.tags.isEmpty }
        if !untagged.isEmpty {
            html += "<h2 id=\"tag-untagged\">other</h2>\n"
            for operation in untagged { renderOperation(operation) }
        }
        html += "</section>\n"
    }

    private mutating func renderOperation(_ operation: OpenAPIDocument.Operation) {
        let id = "op-" + attribute(operation.id)
        html += "<article class=\"op\" id=\"\(id)\" aria-labelledby=\"\(id)-title\">\n"
        html += "<h3 id=\"\(id)-title\">\(methodBadge(operation.method)) <code class=\"path\">\(e(operation.path))</code></h3>\n"
        if let summary = operation.summary { html += "<p class=\"summary\">\(HTMLText.inline(summary))</p>\n" }
        if operation.operation["operationId"] != nil { html += "<p class=\"meta\">operationId <code>\(e(operation.id))</code></p>\n" }
        html += "<pre class=\"curl\" aria-label=\"curl\"><code>\(e(CurlCommand.make(operation, in: document)))</code></pre>\n"

        var body = ""
        if let description = operation.operation["description"]?.stringValue { body += HTMLText.prose(description) }
        if operation.needsKey {
            let schemes = (operation.operation["security"]?.arrayValue ?? []).flatMap { $0.objectValue?.keys ?? [] }
            body += "<p class=\"auth\">Needs a key: " + schemes.map { "<a href=\"#security-\(attribute($0))\"><code>\(e($0))</code></a>" }
                .joined(separator: ", ") + " (<code>Authorization: Bearer …</code>).</p>\n"
        }
        body += parametersTable(operation.parameters)
        if let requestBody = operation.operation["requestBody"] { body += self.requestBody(requestBody) }
        body += responses(operation.operation["responses"]?.objectValue ?? JSONObject())

        if let first = shownBodies[body] {
            html += "<p class=\"same\">Parameters, body and responses as for <a href=\"#\(first.id)\">\(e(first.label))</a>.</p>\n"
        } else {
            shownBodies[body] = (id, operation.method.uppercased() + " " + operation.path)
            html += body
        }
        html += "</article>\n"
    }

    private func parametersTable(_ parameters: [JSONValue]) -> String {
        guard !parameters.isEmpty else { return "" }
        var out = "<h4>Parameters</h4>\n<div class=\"scroll\"><table class=\"params\">\n<thead><tr><th scope=\"col\">Name</th><th scope=\"col\">In</th><th scope=\"col\">Type</th><th scope=\"col\">Description</th></tr></thead>\n<tbody>\n"
        for reference in parameters {
            let parameter = document.resolve(reference)
            let name = parameter["name"]?.stringValue ?? "?"
            let required = parameter["required"]?.boolValue == true
            out += "<tr><th scope=\"row\"><code>\(e(name))</code>\(required ? " <span class=\"req\">required</span>" : "")"
            if let shared = OpenAPIDocument.componentReference(reference) {
                out += "<br><a class=\"ref\" href=\"#\(anchor(shared))\">\(e(shared.name))</a>"
            }
            out += "</th><td>\(e(parameter["in"]?.stringValue ?? ""))</td>"
            out += "<td>\(parameter["schema"].map(typeText) ?? "")</td><td>"
            if let description = parameter["description"]?.stringValue { out += HTMLText.prose(description) }
            if let schema = parameter["schema"] { out += constraints(schema) }
            out += examples(parameter)
            out += "</td></tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    private func requestBody(_ reference: JSONValue) -> String {
        let body = document.resolve(reference)
        var out = "<h4>Request body\(body["required"]?.boolValue == true ? " <span class=\"req\">required</span>" : "")</h4>\n"
        if let description = body["description"]?.stringValue { out += HTMLText.prose(description) }
        out += content(body["content"]?.objectValue ?? JSONObject())
        return out
    }

    private func responses(_ responses: JSONObject) -> String {
        guard !responses.isEmpty else { return "" }
        var out = "<h4>Responses</h4>\n<dl class=\"responses\">\n"
        for (status, reference) in responses {
            let response = document.resolve(reference)
            out += "<dt><span class=\"status s\(e(String(status.prefix(1))))\">\(e(status))</span>"
            if let shared = OpenAPIDocument.componentReference(reference) {
                out += " <a class=\"ref\" href=\"#\(anchor(shared))\">\(e(shared.name))</a>"
            }
            out += "</dt>\n<dd>"
            out += HTMLText.prose(response["description"]?.stringValue ?? "")
            if OpenAPIDocument.componentReference(reference) == nil {
                out += headerList(response["headers"]?.objectValue ?? JSONObject())
                out += content(response["content"]?.objectValue ?? JSONObject())
            }
            out += "</dd>\n"
        }
        return out + "</dl>\n"
    }

    private func headerList(_ headers: JSONObject) -> String {
        guard !headers.isEmpty else { return "" }
        var out = "<p class=\"headers\">Headers: "
        out += headers.map { name, reference in
            if let shared = OpenAPIDocument.componentReference(reference) {
                return "<a href=\"#\(anchor(shared))\"><code>\(e(name))</code></a>"
            }
            let header = document.resolve(reference)
            var text = "<code>\(e(name))</code>"
            if let description = header["description"]?.stringValue { text += " (" + HTMLText.inline(description) + ")" }
            if let example = header["example"] { text += " e.g. <code>\(e(CurlCommand.text(example)))</code>" }
            return text
        }.joined(separator: ", ")
        return out + "</p>\n"
    }

    private func content(_ content: JSONObject) -> String {
        var out = ""
        for (mediaType, media) in content {
            out += "<div class=\"media\"><p><code>\(e(mediaType))</code>"
            if let schema = media["schema"] { out += ": " + typeText(schema) }
            out += "</p>\n"
            if let schema = media["schema"], OpenAPIDocument.componentReference(schema) == nil {
                out += schemaDetails(document.resolve(schema))
            }
            out += examples(media, mediaType: mediaType)
            out += "</div>\n"
        }
        return out
    }

    /// `example` and every entry of `examples`, JSON indented, text as it is.
    private func examples(_ holder: JSONValue, mediaType: String? = nil) -> String {
        var out = ""
        if let example = holder["example"] { out += exampleBlock(example, title: nil, mediaType: mediaType) }
        for (name, reference) in holder["examples"]?.objectValue ?? JSONObject() {
            let example = document.resolve(reference)
            let title = example["summary"]?.stringValue ?? name
            if let value = example["value"] { out += exampleBlock(value, title: title, mediaType: mediaType) }
        }
        return out
    }

    private func exampleBlock(_ value: JSONValue, title: String?, mediaType: String?) -> String {
        let label = "Example" + (title.map { ": " + $0 } ?? "")
        if mediaType == nil, value.objectValue == nil, value.arrayValue == nil {
            return "<p class=\"example\">\(e(label)): <code>\(e(CurlCommand.text(value)))</code></p>\n"
        }
        let text: String
        if case .string(let string) = value, !(mediaType ?? "").contains("json") {
            text = string
        } else {
            text = String(decoding: value.serialized(pretty: true), as: UTF8.self)
        }
        return "<figure class=\"example\"><figcaption>\(e(label))</figcaption><pre><code>\(e(text))</code></pre></figure>\n"
    }

    // MARK: Schemas

    private mutating func renderSchemas() {
        html += "<section id=\"schemas\" aria-labelledby=\"schemas-title\">\n<h2 id=\"schemas-title\">Schemas</h2>\n"
        for (name, schema) in document.components("schemas") {
            html += "<article class=\"schema\" id=\"schema-\(attribute(name))\" aria-labelledby=\"schema-\(attribute(name))-title\">\n"
            html += "<h3 id=\"schema-\(attribute(name))-title\">\(e(name))</h3>\n"
            html += "<p class=\"type\">\(typeText(schema))</p>\n"
            html += schemaDetails(schema)
            html += "</article>\n"
        }
        html += "</section>\n"
    }

    /// Description, constraints, properties and composition of one schema, and its example.
    private func schemaDetails(_ schema: JSONValue, depth: Int = 0) -> String {
        var out = ""
        if let description = schema["description"]?.stringValue { out += HTMLText.prose(description) }
        out += constraints(schema)
        for keyword in ["allOf", "oneOf", "anyOf"] {
            guard let parts = schema[keyword]?.arrayValue else { continue }
            let joiner = keyword == "allOf" ? "all of" : keyword == "oneOf" ? "exactly one of" : "any of"
            out += "<p>\(joiner):</p>\n<ul>\n"
            for part in parts {
                out += "<li>\(typeText(part))"
                if OpenAPIDocument.componentReference(part) == nil, depth < 4 { out += schemaDetails(part, depth: depth + 1) }
                out += "</li>\n"
            }
            out += "</ul>\n"
        }
        if let properties = schema["properties"]?.objectValue, !properties.isEmpty {
            let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            out += "<div class=\"scroll\"><table class=\"props\">\n<thead><tr><th scope=\"col\">Property</th><th scope=\"col\">Type</th><th scope=\"col\">Description</th></tr></thead>\n<tbody>\n"
            for (name, property) in properties {
                out += "<tr><th scope=\"row\"><code>\(e(name))</code>\(required.contains(name) ? " <span class=\"req\">required</span>" : "")</th>"
                out += "<td>\(typeText(property))</td><td>"
                if OpenAPIDocument.componentReference(property) == nil, depth < 4 {
                    out += schemaDetails(property, depth: depth + 1)
                } else if let description = property["description"]?.stringValue {
                    out += HTMLText.prose(description)
                }
                out += "</td></tr>\n"
            }
            out += "</tbody>\n</table></div>\n"
        } else if let required = schema["required"]?.arrayValue, !required.isEmpty, schema["properties"] == nil {
            out += "<p>Requires " + required.compactMap(\.stringValue).map { "<code>\(e($0))</code>" }.joined(separator: ", ") + ".</p>\n"
        }
        if let items = schema["items"], OpenAPIDocument.componentReference(items) == nil, depth < 4,
           items["properties"] != nil || items["allOf"] != nil || items["oneOf"] != nil {
            out += "<p>Each item:</p>\n" + schemaDetails(items, depth: depth + 1)
        }
        if let example = schema["example"] { out += exampleBlock(example, title: nil, mediaType: "application/json") }
        return out
    }

    /// The facts a reader checks a value against: enum, const, bounds, lengths, pattern, default.
    private func constraints(_ reference: JSONValue) -> String {
        guard OpenAPIDocument.componentReference(reference) == nil else { return "" }
        let schema = reference
        var facts: [String] = []
        if let values = schema["enum"]?.arrayValue {
            facts.append("One of " + values.map { "<code>\(e($0 == .null ? "null" : CurlCommand.text($0)))</code>" }.joined(separator: ", "))
        }
        if let value = schema["const"] { facts.append("Always <code>\(e(CurlCommand.text(value)))</code>") }
        let bounds: [(String, String)] = [("minimum", "at least"), ("maximum", "at most"), ("exclusiveMinimum", "more than"),
                                          ("exclusiveMaximum", "less than"), ("minLength", "length at least"),
                                          ("maxLength", "length at most"), ("minItems", "items at least"), ("maxItems", "items at most")]
        for (keyword, words) in bounds {
            if let value = schema[keyword] { facts.append("\(words) <code>\(e(CurlCommand.text(value)))</code>") }
        }
        if let pattern = schema["pattern"]?.stringValue { facts.append("pattern <code>\(e(pattern))</code>") }
        if let value = schema["default"] { facts.append("default <code>\(e(CurlCommand.text(value)))</code>") }
        if schema["additionalProperties"]?.boolValue == false { facts.append("no other properties") }
        guard !facts.isEmpty else { return "" }
        return "<p class=\"facts\">" + facts.joined(separator: "; ") + ".</p>\n"
    }

    /// A schema in a few words: `string (date)`, `integer`, `array of Council`, `number or null`.
    private func typeText(_ schema: JSONValue) -> String {
        if let reference = OpenAPIDocument.componentReference(schema) {
            return "<a href=\"#\(anchor(reference))\">\(e(reference.name))</a>"
        }
        var words: [String] = []
        switch schema["type"] {
        case .string(let type)?: words.append(e(type))
        case .array(let types)?: words.append(e(types.compactMap(\.stringValue).joined(separator: " or ")))
        default: break
        }
        if let format = schema["format"]?.stringValue, !words.isEmpty { words[0] += " (\(e(format)))" }
        if let items = schema["items"], words.first?.hasPrefix("array") == true {
            words[0] = words[0].replacingFirst("array", with: "array of " + typeText(items))
        }
        for keyword in ["oneOf", "anyOf"] {
            if let parts = schema[keyword]?.arrayValue { words.append(parts.map(typeText).joined(separator: " or ")) }
        }
        if let parts = schema["allOf"]?.arrayValue {
            words.append(parts.map { OpenAPIDocument.componentReference($0) != nil ? typeText($0) : "…" }.joined(separator: " and "))
        }
        if words.isEmpty, schema["const"] != nil { words.append("constant") }
        if words.isEmpty { words.append(schema.objectValue?.isEmpty == true ? "any" : "value") }
        return words.joined(separator: ", ")
    }

    // MARK: Shared components

    private mutating func renderSharedComponents() {
        html += "<section id=\"shared\" aria-labelledby=\"shared-title\">\n<h2 id=\"shared-title\">Shared parameters, headers and responses</h2>\n"
        let parameters = document.components("parameters")
        if !parameters.isEmpty {
            html += "<h3>Parameters</h3>\n"
            for (name, parameter) in parameters {
                html += "<div class=\"component\" id=\"parameters-\(attribute(name))\"><h4>\(e(name))</h4>\n"
                html += parametersTable([parameter]).replacingFirst("<h4>Parameters</h4>\n", with: "")
                html += "</div>\n"
            }
        }
        let headers = document.components("headers")
        if !headers.isEmpty {
            html += "<h3>Headers</h3>\n<dl>\n"
            for (name, header) in headers {
                html += "<dt id=\"headers-\(attribute(name))\"><code>\(e(name))</code>"
                if let schema = header["schema"] { html += ": " + typeText(schema) }
                html += "</dt>\n<dd>"
                if let description = header["description"]?.stringValue { html += HTMLText.prose(description) }
                if let schema = header["schema"] { html += constraints(schema) }
                html += examples(header)
                html += "</dd>\n"
            }
            html += "</dl>\n"
        }
        let responses = document.components("responses")
        if !responses.isEmpty {
            html += "<h3>Responses</h3>\n"
            for (name, response) in responses {
                html += "<div class=\"component\" id=\"responses-\(attribute(name))\"><h4>\(e(name))</h4>\n"
                html += HTMLText.prose(response["description"]?.stringValue ?? "")
                html += headerList(response["headers"]?.objectValue ?? JSONObject())
                html += content(response["content"]?.objectValue ?? JSONObject())
                html += "</div>\n"
            }
        }
        html += "</section>\n"
    }

    // MARK: Helpers

    private func e(_ text: String) -> String { HTMLText.escape(text) }

    /// An id or URL fragment: the text with anything but letters, digits, `-`, `_` and `.` as `-`.
    private func attribute(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "-" })
    }

    private func anchor(_ reference: (kind: String, name: String)) -> String {
        (reference.kind == "schemas" ? "schema" : reference.kind) + "-" + attribute(reference.name)
    }

    private func methodBadge(_ method: String) -> String {
        "<span class=\"method m-\(method)\">\(method.uppercased())</span>"
    }

    static let style = """
    :root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;--link:#0550ae;--code:#eff1f3}
    @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--panel:#161b22;--line:#30363d;--link:#6cb6ff;--code:#1f2630}}
    *{box-sizing:border-box}
    body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
    header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
    header{padding-top:1rem;border-bottom:1px solid var(--line)}
    h1{margin:.5rem 0}.version{font-size:.6em;color:var(--muted);font-weight:normal}
    .lead{font-size:1.1rem;margin:.25rem 0}
    a{color:var(--link)}
    .skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem}
    code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em}
    code{background:var(--code);padding:0 .2em;border-radius:3px;overflow-wrap:anywhere}
    pre{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem;overflow-x:auto}
    pre code{background:none;padding:0}
    .op,.schema,.component{border-top:1px solid var(--line);padding:.5rem 0 1rem}
    .op h3{font-size:1.1rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
    .method{display:inline-block;min-width:4.5em;text-align:center;font:bold .8rem/1.6 ui-monospace,"DejaVu Sans Mono",monospace;border-radius:4px;color:#fff;background:#57606a;padding:0 .3em}
    .m-get{background:#1a7f37}.m-post{background:#0969da}.m-put{background:#9a6700}.m-patch{background:#8250df}.m-delete{background:#cf222e}.m-options,.m-head{background:#57606a}
    .summary{font-weight:600;margin:.25rem 0}.meta,.facts,.headers,.example{color:var(--muted);font-size:.9rem}
    .curl{white-space:pre-wrap;overflow-wrap:anywhere}
    .req{color:#cf222e;font-size:.75rem;font-weight:normal}
    .scroll{overflow-x:auto}
    table{border-collapse:collapse;width:100%;margin:.5rem 0}
    th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
    thead th{background:var(--panel)}td p,dd p{margin:.2rem 0}
    .responses dt{margin-top:.5rem}.responses dd{margin-left:1.5rem}
    .status{font:bold .85rem ui-monospace,"DejaVu Sans Mono",monospace;padding:0 .3em;border-radius:4px;border:1px solid var(--line)}
    .s2{color:#1a7f37}.s3{color:var(--muted)}.s4{color:#9a6700}.s5{color:#cf222e}
    figure{margin:.5rem 0}figcaption{color:var(--muted);font-size:.85rem}
    #contents ul{list-style:none;padding-left:0;columns:2 28rem}#contents li{break-inside:avoid;margin:.15rem 0}
    footer{color:var(--muted);border-top:1px solid var(--line);margin-top:2rem}
    @media (max-width:40rem){body{font-size:15px}.responses dd{margin-left:.5rem}th,td{padding:.25rem}}
    """
}

extension String {
    /// The text with its first `target` replaced (toolchain-only).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return self[..<range.lowerBound] + replacement + self[range.upperBound...]
    }
}
