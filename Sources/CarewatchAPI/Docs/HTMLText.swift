/// Text for HTML pages: escaping, and the little Markdown that openapi.yaml's descriptions use
/// (paragraphs, `- ` lists, `code`, [links](…), **strong**). Everything else stays text.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Paragraphs and bullet lists, each line's inline formatting applied.
    static func prose(_ text: String) -> String {
        var html = ""
        var paragraph: [String] = []
        var items: [String] = []
        func flushParagraph() {
            if !paragraph.isEmpty { html += "<p>" + inline(paragraph.joined(separator: " ")) + "</p>\n" }
            paragraph = []
        }
        func flushList() {
            if !items.isEmpty { html += "<ul>\n" + items.map { "<li>" + inline($0) + "</li>\n" }.joined() + "</ul>\n" }
            items = []
        }
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.drop { $0 == " " }
            let indented = line.count < rawLine.count
            if line.isEmpty {
                flushParagraph()
                flushList()
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") {
                flushParagraph()
                items.append(String(line.dropFirst(2)))
            } else if indented, !items.isEmpty {
                items[items.count - 1] += " " + line
            } else {
                flushList()
                paragraph.append(String(line))
            }
        }
        flushParagraph()
        flushList()
        return html
    }

    /// `code`, [text](http…) and **strong** within one run of text.
    static func inline(_ text: String) -> String {
        var out = ""
        for (index, part) in text.split(separator: "`", omittingEmptySubsequences: false).enumerated() {
            if index % 2 == 1 {
                out += "<code>" + escape(String(part)) + "</code>"
            } else {
                out += links(String(part))
            }
        }
        return out
    }

    private static func links(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "["),
              let close = rest[open...].firstIndex(of: "]"),
              rest.index(after: close) < rest.endIndex, rest[rest.index(after: close)] == "(",
              let end = rest[close...].firstIndex(of: ")") {
            let label = rest[rest.index(after: open)..<close]
            let target = rest[rest.index(close, offsetBy: 2)..<end]
            guard target.hasPrefix("https://") || target.hasPrefix("http://") || target.hasPrefix("#") || target.hasPrefix("/") else {
                out += strong(String(rest[...close]))
                rest = rest[rest.index(after: close)...]
                continue
            }
            out += strong(String(rest[..<open]))
            out += "<a href=\"" + escape(String(target)) + "\">" + strong(String(label)) + "</a>"
            rest = rest[rest.index(after: end)...]
        }
        return out + strong(String(rest))
    }

    private static func strong(_ text: String) -> String {
        let parts = text.split(separator: "**", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return escape(text) }
        var out = ""
        for (index, part) in parts.enumerated() {
            let escaped = escape(String(part))
            if index % 2 == 1, index < parts.count - 1 {
                out += "<strong>" + escaped + "</strong>"
            } else {
                out += (index % 2 == 1 ? "**" : "") + escaped
            }
        }
        return out
    }
}
