import CarewatchCore

/// Reads the YAML that openapi.yaml is written in into JSON values, objects in document order.
///
/// The toolchain has no YAML reader, and /docs and /openapi.json are rendered from the very
/// document the server serves, so this one reads what OpenAPI documents use: block mappings
/// and sequences (compact `- key: value` items too), flow `[...]` and `{...}` over several
/// lines, plain, single- and double-quoted scalars (escapes, folding), literal `|` and folded
/// `>` block scalars with chomping and indentation indicators, comments, anchors, aliases and
/// `<<` merge keys, and one document with an optional `---`.
///
/// What it does not understand it refuses, naming the line and column, rather than guess:
/// tags, directives, complex `?` keys, several documents, tabs in indentation, duplicate keys,
/// keys that are not strings, anchors before implicit keys, single-pair mappings inside
/// `[...]`, and plain scalars that YAML 1.1 and 1.2 readers take differently (`YAMLScalar`).
/// CI compares its reading of openapi.yaml with PyYAML's (`/openapi.json`).
struct YAMLReader {
    private let bytes: [UInt8]
    private var index = 0
    private var anchors: [String: JSONValue] = [:]

    static func parse(_ text: String) throws(YAMLError) -> JSONValue {
        var reader = YAMLReader(text)
        return try reader.document()
    }

    private init(_ text: String) {
        var normalized: [UInt8] = []
        normalized.reserveCapacity(text.utf8.count)
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == 0x0D {
                normalized.append(0x0A)
            } else if byte == 0x0A, previous == 0x0D {
                // the CR already became the line break
            } else {
                normalized.append(byte)
            }
            previous = byte
        }
        if normalized.starts(with: [0xEF, 0xBB, 0xBF]) { normalized.removeFirst(3) }
        bytes = normalized
    }

    // MARK: Document

    private mutating func document() throws(YAMLError) -> JSONValue {
        guard try skipToContent() else { return .null }
        if byte == UInt8(ascii: "%") { throw error("directives (%YAML, %TAG) are not supported") }
        if atDocumentMarker("---") {
            index += 3
            try finishLine()
            guard try skipToContent() else { return .null }
        }
        let value = try blockNode(parentIndent: -1)
        if try skipToContent() {
            if atDocumentMarker("...") {
                index += 3
                try finishLine()
                if try skipToContent() { throw error("only one document is supported") }
            } else if atDocumentMarker("---") {
                throw error("only one document is supported")
            } else {
                throw error("this line is indented less than the block it belongs to, or more than the one before")
            }
        }
        return value
    }

    // MARK: Block nodes

    /// A node that starts at the current content, indented more than `parentIndent`.
    private mutating func blockNode(parentIndent: Int) throws(YAMLError) -> JSONValue {
        let indent = column
        if isSequenceEntry { return try blockSequence(indent: indent) }
        if scanKey() != nil { return try blockMapping(indent: indent) }
        if byte == UInt8(ascii: "&") { return try anchored(parentIndent: parentIndent, inSequence: false) }
        return try inlineValue(parentIndent: parentIndent)
    }

    /// The node below a `key:` or `-` with nothing after it on its line.
    private mutating func nodeBelow(parentIndent: Int, sequenceAtSameIndent: Bool) throws(YAMLError) -> JSONValue {
        guard try skipToContent(), !atAnyDocumentMarker else { return .null }
        if column > parentIndent { return try blockNode(parentIndent: parentIndent) }
        if column == parentIndent, sequenceAtSameIndent, isSequenceEntry { return try blockSequence(indent: parentIndent) }
        return .null
    }

    private mutating func blockMapping(indent: Int) throws(YAMLError) -> JSONValue {
        var object = JSONObject()
        var merged: [JSONObject] = []
        var first = true
        while true {
            if !first {
                guard try skipToContent(), !atAnyDocumentMarker, column >= indent else { break }
                guard column == indent else { throw error("this key is indented more than the keys before it (\(indent) spaces)") }
                if isSequenceEntry { throw error("a sequence item where a key of the mapping was expected") }
            }
            first = false
            let keyStart = index
            guard let key = scanKey() else {
                throw error("expected 'key: value' here (a mapping entry)")
            }
            index = key.end
            let name: String
            if !key.quoted, key.text == "<<" {
                name = "<<"
            } else if key.quoted {
                name = key.text
            } else {
                switch YAMLScalar.resolve(plain: key.text) {
                case .value(.string(let text)): name = text
                case .value(let other): throw error("the key '\(key.text)' is read as a \(other.typeName), not a string: quote it", at: keyStart)
                case .ambiguous(let why): throw error("the key '\(key.text)' must be quoted: \(why)", at: keyStart)
                }
            }
            skipSpaces()
            let value = try valueAfterIndicator(parentIndent: indent, inSequence: false)
            if !key.quoted, key.text == "<<" {
                switch value {
                case .object(let source): merged.append(source)
                case .array(let sources):
                    for source in sources {
                        guard case .object(let mapping) = source else { throw error("'<<' merges mappings only", at: keyStart) }
                        merged.append(mapping)
                    }
                default: throw error("'<<' merges mappings only", at: keyStart)
                }
                continue
            }
            guard !object.contains(name) else { throw error("duplicate key '\(name)'", at: keyStart) }
            object[name] = value
        }
        guard !merged.isEmpty else { return .object(object) }
        // As YAML 1.1 readers do: merged keys first (earlier sources win), then the mapping's
        // own keys, which override them.
        var result = JSONObject()
        for source in merged {
            for (key, value) in source where !result.contains(key) && !object.contains(key) { result[key] = value }
        }
        for (key, value) in object { result[key] = value }
        return .object(result)
    }

    private mutating func blockSequence(indent: Int) throws(YAMLError) -> JSONValue {
        var items: [JSONValue] = []
        var first = true
        while true {
            if !first {
                guard try skipToContent(), !atAnyDocumentMarker, column >= indent else { break }
                guard column == indent else { throw error("this item is indented more than the items before it (\(indent) spaces)") }
                guard isSequenceEntry else { break }
            }
            first = false
            index += 1
            skipSpaces()
            items.append(try valueAfterIndicator(parentIndent: indent, inSequence: true))
        }
        return .array(items)
    }

    /// What follows `key:` or `-` (and its spaces): a node on the same line, or below it.
    private mutating func valueAfterIndicator(parentIndent: Int, inSequence: Bool) throws(YAMLError) -> JSONValue {
        if atLineEnd {
            try finishLine()
            return try nodeBelow(parentIndent: parentIndent, sequenceAtSameIndent: !inSequence)
        }
        if byte == UInt8(ascii: "&") { return try anchored(parentIndent: parentIndent, inSequence: inSequence) }
        if inSequence {
            if isSequenceEntry { return try blockSequence(indent: column) }
            if scanKey() != nil { return try blockMapping(indent: column) }
        } else if isSequenceEntry || scanKey() != nil {
            throw error("a block sequence or mapping cannot start on the line of its key")
        }
        return try inlineValue(parentIndent: parentIndent)
    }

    /// `&name` and the node it names: on the same line, or the block below.
    private mutating func anchored(parentIndent: Int, inSequence: Bool) throws(YAMLError) -> JSONValue {
        let name = try anchorName()
        skipSpaces()
        let value: JSONValue
        if atLineEnd {
            try finishLine()
            value = try nodeBelow(parentIndent: parentIndent, sequenceAtSameIndent: !inSequence)
        } else {
            if scanKey() != nil || isSequenceEntry {
                throw error("an anchor before an implicit key or an item is ambiguous: put the anchored node on the next line")
            }
            if byte == UInt8(ascii: "&") || byte == UInt8(ascii: "*") { throw error("a node has at most one anchor, and an alias takes none") }
            value = try inlineValue(parentIndent: parentIndent)
        }
        anchors[name] = value
        return value
    }

    /// A scalar, flow collection, alias or block scalar that starts on the current line.
    private mutating func inlineValue(parentIndent: Int) throws(YAMLError) -> JSONValue {
        switch byte {
        case UInt8(ascii: "!"):
            throw error("tags (!…) are not supported")
        case UInt8(ascii: "?"):
            if isSpaceOrEnd(at: index + 1) { throw error("complex keys (? …) are not supported") }
        case UInt8(ascii: "*"):
            let value = try alias()
            try finishLine()
            return value
        case UInt8(ascii: "|"), UInt8(ascii: ">"):
            return try blockScalar(parentIndent: parentIndent)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let value = try flowNode(parentIndent: parentIndent)
            try finishLine()
            return value
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            let value = JSONValue.string(try quoted(parentIndent: parentIndent))
            try finishLine()
            return value
        default:
            break
        }
        return try plainScalar(parentIndent: parentIndent)
    }

    // MARK: Keys

    struct Key {
        var text: String
        var quoted: Bool
        /// Just after the `:`.
        var end: Int
    }

    /// A `key:` at the current position (a plain key up to `: `, or a quoted key on one line),
    /// read without moving; nil when the line is not a mapping entry.
    private func scanKey() -> Key? {
        guard let first = byte else { return nil }
        var probe = self
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            guard let text = try? probe.quoted(parentIndent: Int.max), !bytes[index..<probe.index].contains(0x0A) else { return nil }
            probe.skipSpaces()
            guard probe.byte == UInt8(ascii: ":"), probe.isSpaceOrEnd(at: probe.index + 1) else { return nil }
            return Key(text: text, quoted: true, end: probe.index + 1)
        }
        if "[]{}#&*!|>%@`,".utf8.contains(first) { return nil }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "?") || first == UInt8(ascii: ":"), isSpaceOrEnd(at: index + 1) { return nil }
        var cursor = index
        while cursor < bytes.count, bytes[cursor] != 0x0A {
            let current = bytes[cursor]
            if current == UInt8(ascii: "#"), cursor > index, isBlank(bytes[cursor - 1]) { return nil }
            if current == UInt8(ascii: ":"), isSpaceOrEnd(at: cursor + 1) {
                var end = cursor
                while end > index, isBlank(bytes[end - 1]) { end -= 1 }
                return Key(text: String(decoding: bytes[index..<end], as: UTF8.self), quoted: false, end: cursor + 1)
            }
            cursor += 1
        }
        return nil
    }

    // MARK: Scalars

    /// A plain scalar in block context, folded over the more-indented lines that continue it.
    private mutating func plainScalar(parentIndent: Int) throws(YAMLError) -> JSONValue {
        let start = index
        if let first = byte, "%@`".utf8.contains(first) {
            throw error("a plain scalar cannot start with '\(Character(Unicode.Scalar(first)))': quote it")
        }
        if let first = byte, "-?:".utf8.contains(first), isSpaceOrEnd(at: index + 1) {
            throw error("'\(Character(Unicode.Scalar(first)))' followed by a space cannot start a plain scalar here: quote it")
        }
        var text = readPlainLine()
        try checkNoMappingValue(lineFrom: start)
        // Continuation lines: more indented than the parent, not a comment.
        while !atComment, index < bytes.count {
            var probe = index + 1
            var blankLines = 0
            var lineStart = probe
            while true {
                while probe < bytes.count, isBlank(bytes[probe]) { probe += 1 }
                guard probe < bytes.count, bytes[probe] == 0x0A else { break }
                blankLines += 1
                probe += 1
                lineStart = probe
            }
            guard probe < bytes.count, probe - lineStart > parentIndent, bytes[probe] != UInt8(ascii: "#") else { break }
            let marker = bytes[lineStart...].starts(with: Array("---".utf8)) || bytes[lineStart...].starts(with: Array("...".utf8))
            if probe == lineStart, marker, isSpaceOrEnd(at: lineStart + 3) { break }
            if indentationHasTab(lineStart) { throw error("tabs cannot indent YAML", at: lineStart) }
            index = probe
            text += blankLines == 0 ? " " : String(repeating: "\n", count: blankLines)
            text += readPlainLine()
            try checkNoMappingValue(lineFrom: probe)
        }
        try finishLine()
        return try resolved(text, at: start)
    }

    private func resolved(_ text: String, at start: Int) throws(YAMLError) -> JSONValue {
        switch YAMLScalar.resolve(plain: text) {
        case .value(let value): return value
        case .ambiguous(let why): throw error("'\(text)' must be quoted: \(why)", at: start)
        }
    }

    /// The rest of a line of a plain scalar, up to a comment or the line's end, without
    /// trailing blanks.
    private mutating func readPlainLine() -> String {
        let start = index
        var end = index
        while index < bytes.count, bytes[index] != 0x0A {
            if bytes[index] == UInt8(ascii: "#"), index > start, isBlank(bytes[index - 1]) { break }
            if !isBlank(bytes[index]) { end = index + 1 }
            index += 1
        }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// A `: ` (or a final `:`) in a line of a plain scalar is a mapping where none may start.
    private func checkNoMappingValue(lineFrom start: Int) throws(YAMLError) {
        var end = index
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        var cursor = start
        while cursor < end {
            if bytes[cursor] == UInt8(ascii: ":"), cursor + 1 == end || isBlank(bytes[cursor + 1]) {
                throw error("a ': ' or a final ':' inside a plain scalar: quote the value", at: cursor)
            }
            cursor += 1
        }
    }

    /// A single- or double-quoted scalar, which may run over several lines.
    private mutating func quoted(parentIndent: Int) throws(YAMLError) -> String {
        let quote = bytes[index]
        let start = index
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("the quoted scalar is not closed", at: start) }
            let current = bytes[index]
            if current == quote {
                if quote == UInt8(ascii: "'"), index + 1 < bytes.count, bytes[index + 1] == quote {
                    out.append(quote)
                    index += 2
                    continue
                }
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if current == 0x0A {
                while let last = out.last, isBlank(last) { out.removeLast() }
                try foldLineBreak(into: &out, parentIndent: parentIndent, start: start)
                continue
            }
            if quote == UInt8(ascii: "\""), current == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { throw error("the quoted scalar is not closed", at: start) }
                if bytes[index] == 0x0A {
                    // An escaped line break: the lines join with nothing between them.
                    index += 1
                    skipSpaces()
                    continue
                }
                try escape(into: &out)
                continue
            }
            out.append(current)
            index += 1
        }
    }

    /// At a line break inside a quoted scalar: a space, or one `\n` per empty line.
    private mutating func foldLineBreak(into out: inout [UInt8], parentIndent: Int, start: Int) throws(YAMLError) {
        index += 1
        var blankLines = 0
        while true {
            let lineStart = index
            skipSpaces()
            if byte == 0x0A { blankLines += 1; index += 1; continue }
            guard byte != nil else { throw error("the quoted scalar is not closed", at: start) }
            if parentIndent != Int.max, index - lineStart <= parentIndent {
                throw error("a quoted scalar's continuation lines must be indented more than its parent")
            }
            if indentationHasTab(lineStart) { throw error("tabs cannot indent YAML") }
            break
        }
        if blankLines == 0 { out.append(0x20) } else { out += [UInt8](repeating: 0x0A, count: blankLines) }
    }

    private mutating func escape(into out: inout [UInt8]) throws(YAMLError) {
        let letter = bytes[index]
        index += 1
        let simple: [UInt8: [UInt8]] = [
            UInt8(ascii: "0"): [0], UInt8(ascii: "a"): [7], UInt8(ascii: "b"): [8], UInt8(ascii: "t"): [9], 0x09: [9],
            UInt8(ascii: "n"): [10], UInt8(ascii: "v"): [11], UInt8(ascii: "f"): [12], UInt8(ascii: "r"): [13],
            UInt8(ascii: "e"): [27], 0x20: [0x20], UInt8(ascii: "\""): [0x22], UInt8(ascii: "/"): [0x2F],
            UInt8(ascii: "\\"): [0x5C], UInt8(ascii: "N"): Array("\u{85}".utf8), UInt8(ascii: "_"): Array("\u{A0}".utf8),
            UInt8(ascii: "L"): Array("\u{2028}".utf8), UInt8(ascii: "P"): Array("\u{2029}".utf8),
        ]
        if let replacement = simple[letter] {
            out += replacement
            return
        }
        let digits: Int
        switch letter {
        case UInt8(ascii: "x"): digits = 2
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        default: throw error("unknown escape '\\\(Character(Unicode.Scalar(letter)))'", at: index - 2)
        }
        guard index + digits <= bytes.count,
              let code = UInt32(String(decoding: bytes[index..<(index + digits)], as: UTF8.self), radix: 16),
              let scalar = Unicode.Scalar(code) else { throw error("a \\\(Character(Unicode.Scalar(letter))) escape needs \(digits) hex digits of a character", at: index - 2) }
        index += digits
        out += Array(String(Character(scalar)).utf8)
    }

    /// `|` or `>` with optional chomping (`-`, `+`) and indentation (1-9) indicators.
    private mutating func blockScalar(parentIndent: Int) throws(YAMLError) -> JSONValue {
        let folded = bytes[index] == UInt8(ascii: ">")
        let headerStart = index
        index += 1
        var chomping: UInt8?
        var explicitIndent: Int?
        for _ in 0..<2 {
            guard let current = byte else { break }
            if current == UInt8(ascii: "-") || current == UInt8(ascii: "+"), chomping == nil {
                chomping = current
                index += 1
            } else if current >= UInt8(ascii: "1"), current <= UInt8(ascii: "9"), explicitIndent == nil {
                explicitIndent = Int(current - UInt8(ascii: "0"))
                index += 1
            }
        }
        guard atLineEnd else { throw error("a block scalar's header is '|' or '>' with at most a chomping and an indentation indicator", at: headerStart) }
        try finishLine()

        // Collect the lines that belong to the scalar.
        var lines: [[UInt8]] = []
        var contentIndent = explicitIndent.map { max(0, parentIndent) + $0 }
        var leadingBlankWidth = 0
        while index < bytes.count {
            let lineStart = index
            var width = 0
            while index < bytes.count, bytes[index] == 0x20 { index += 1; width += 1 }
            let blank = index >= bytes.count || bytes[index] == 0x0A
            if contentIndent == nil, !blank {
                if width <= parentIndent { index = lineStart; break }
                if leadingBlankWidth > width { throw error("a leading empty line of the block scalar has more spaces than its text", at: lineStart) }
                contentIndent = width
            }
            if blank {
                if contentIndent == nil { leadingBlankWidth = max(leadingBlankWidth, width) }
                let extra = contentIndent.map { width > $0 ? width - $0 : 0 } ?? 0
                lines.append([UInt8](repeating: 0x20, count: extra))
                if index < bytes.count { index += 1 }
                continue
            }
            guard let indent = contentIndent, width >= indent else { index = lineStart; break }
            let textStart = lineStart + indent
            var end = index
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            lines.append(Array(bytes[textStart..<end]))
            index = min(end + 1, bytes.count)
        }

        // Blank lines at the end are "trailing"; chomping decides what they become.
        var lastText = lines.count - 1
        while lastText >= 0, lines[lastText].isEmpty { lastText -= 1 }
        let trailing = lines.count - 1 - lastText
        let body = Array(lines[0..<(lastText + 1)])
        var text: [UInt8] = []
        if folded {
            var previousMoreIndented: Bool?
            var pendingBlank = 0
            for line in body {
                if line.isEmpty { pendingBlank += 1; continue }
                let moreIndented = isBlank(line[0])
                if let previous = previousMoreIndented {
                    if !previous, !moreIndented {
                        text += pendingBlank == 0 ? [0x20] : [UInt8](repeating: 0x0A, count: pendingBlank)
                    } else {
                        text += [UInt8](repeating: 0x0A, count: pendingBlank + 1)
                    }
                } else {
                    text += [UInt8](repeating: 0x0A, count: pendingBlank)
                }
                text += line
                pendingBlank = 0
                previousMoreIndented = moreIndented
            }
        } else {
            for (offset, line) in body.enumerated() {
                if offset > 0 { text.append(0x0A) }
                text += line
            }
        }
        switch chomping {
        case UInt8(ascii: "-"):
            break
        case UInt8(ascii: "+"):
            if !body.isEmpty { text.append(0x0A) }
            text += [UInt8](repeating: 0x0A, count: trailing)
        default:
            if !body.isEmpty { text.append(0x0A) }
        }
        return .string(String(decoding: text, as: UTF8.self))
    }

    // MARK: Flow collections

    private mutating func flowNode(parentIndent: Int) throws(YAMLError) -> JSONValue {
        try skipFlowSpace(parentIndent: parentIndent)
        guard let current = byte else { throw error("the flow collection is not closed") }
        switch current {
        case UInt8(ascii: "["):
            index += 1
            var items: [JSONValue] = []
            while true {
                try skipFlowSpace(parentIndent: parentIndent)
                if byte == UInt8(ascii: "]") { index += 1; break }
                items.append(try flowNode(parentIndent: parentIndent))
                try skipFlowSpace(parentIndent: parentIndent)
                if byte == UInt8(ascii: ":") { throw error("single-pair mappings inside [ ] are not supported: write {key: value}") }
                if byte == UInt8(ascii: ",") { index += 1; continue }
                if byte == UInt8(ascii: "]") { index += 1; break }
                throw error("expected ',' or ']' in the flow sequence")
            }
            return .array(items)
        case UInt8(ascii: "{"):
            index += 1
            var object = JSONObject()
            while true {
                try skipFlowSpace(parentIndent: parentIndent)
                if byte == UInt8(ascii: "}") { index += 1; break }
                let keyStart = index
                let key: String
                switch try flowNode(parentIndent: parentIndent) {
                case .string(let text): key = text
                case let other: throw error("a key in { } must be a string, not \(other.typeName)", at: keyStart)
                }
                try skipFlowSpace(parentIndent: parentIndent)
                var value = JSONValue.null
                if byte == UInt8(ascii: ":") {
                    index += 1
                    try skipFlowSpace(parentIndent: parentIndent)
                    if byte != UInt8(ascii: ","), byte != UInt8(ascii: "}") { value = try flowNode(parentIndent: parentIndent) }
                }
                guard !object.contains(key) else { throw error("duplicate key '\(key)'", at: keyStart) }
                object[key] = value
                try skipFlowSpace(parentIndent: parentIndent)
                if byte == UInt8(ascii: ",") { index += 1; continue }
                if byte == UInt8(ascii: "}") { index += 1; break }
                throw error("expected ',' or '}' in the flow mapping")
            }
            return .object(object)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return .string(try quoted(parentIndent: parentIndent))
        case UInt8(ascii: "*"):
            return try alias()
        case UInt8(ascii: "&"):
            let name = try anchorName()
            let value = try flowNode(parentIndent: parentIndent)
            anchors[name] = value
            return value
        case UInt8(ascii: "!"):
            throw error("tags (!…) are not supported")
        case UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","):
            throw error("expected a value")
        default:
            if "#|>%@`".utf8.contains(current) { throw error("a plain scalar cannot start with '\(Character(Unicode.Scalar(current)))': quote it") }
            if current == UInt8(ascii: "?"), isSpaceOrEnd(at: index + 1) { throw error("complex keys (? …) are not supported") }
            return try flowPlain(parentIndent: parentIndent)
        }
    }

    /// A plain scalar inside `[ ]` or `{ }`: it ends at `,`, a bracket, `: ` or a comment,
    /// and folds over line breaks.
    private mutating func flowPlain(parentIndent: Int) throws(YAMLError) -> JSONValue {
        let start = index
        var out: [UInt8] = []
        var pendingBreaks = 0
        while index < bytes.count {
            let current = bytes[index]
            if current == 0x0A {
                // Fold only if the scalar goes on after the line break.
                let save = index
                var breaks = 0
                while index < bytes.count, bytes[index] == 0x0A {
                    index += 1
                    breaks += 1
                    skipSpaces()
                }
                if let next = byte, !",[]{}#".utf8.contains(next), !(next == UInt8(ascii: ":") && isFlowValueEnd(at: index + 1)) {
                    if column <= parentIndent { throw error("a flow collection's lines must be indented more than its parent") }
                    pendingBreaks = breaks
                    continue
                }
                index = save
                break
            }
            if ",[]{}".utf8.contains(current) { break }
            if current == UInt8(ascii: ":"), isFlowValueEnd(at: index + 1) { break }
            if current == UInt8(ascii: "#"), index > start, isBlank(bytes[index - 1]) { break }
            if pendingBreaks > 0 {
                while let last = out.last, isBlank(last) { out.removeLast() }
                out += pendingBreaks == 1 ? [0x20] : [UInt8](repeating: 0x0A, count: pendingBreaks - 1)
                pendingBreaks = 0
            }
            out.append(current)
            index += 1
        }
        while let last = out.last, isBlank(last) { out.removeLast() }
        return try resolved(String(decoding: out, as: UTF8.self), at: start)
    }

    private func isFlowValueEnd(at position: Int) -> Bool {
        position >= bytes.count || isBlank(bytes[position]) || bytes[position] == 0x0A || ",[]{}".utf8.contains(bytes[position])
    }

    /// Spaces, line breaks and comments between flow tokens; lines must stay indented more
    /// than the block that holds the collection.
    private mutating func skipFlowSpace(parentIndent: Int) throws(YAMLError) {
        while index < bytes.count {
            let current = bytes[index]
            if isBlank(current) {
                index += 1
            } else if current == 0x0A {
                index += 1
                let lineStart = index
                skipSpaces()
                if indentationHasTab(lineStart) { throw error("tabs cannot indent YAML") }
                if byte != nil, byte != 0x0A, index - lineStart <= parentIndent {
                    throw error("a flow collection's lines must be indented more than its parent (is a bracket left open?)")
                }
            } else if current == UInt8(ascii: "#"), index == 0 || isBlank(bytes[index - 1]) || bytes[index - 1] == 0x0A {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            } else {
                return
            }
        }
    }

    // MARK: Anchors and aliases

    private mutating func anchorName() throws(YAMLError) -> String {
        let start = index
        index += 1
        while index < bytes.count, !isBlank(bytes[index]), bytes[index] != 0x0A, !",[]{}".utf8.contains(bytes[index]) { index += 1 }
        guard index > start + 1 else { throw error("an anchor needs a name", at: start) }
        return String(decoding: bytes[(start + 1)..<index], as: UTF8.self)
    }

    private mutating func alias() throws(YAMLError) -> JSONValue {
        let start = index
        let name = try anchorName()
        guard let value = anchors[name] else { throw error("the alias *\(name) names no anchor defined before it", at: start) }
        return value
    }

    // MARK: Lines and positions

    private var byte: UInt8? { index < bytes.count ? bytes[index] : nil }

    private var column: Int { index - startOfLine(index) }

    private func startOfLine(_ position: Int) -> Int {
        var cursor = position
        while cursor > 0, bytes[cursor - 1] != 0x0A { cursor -= 1 }
        return cursor
    }

    private func lineOf(_ position: Int) -> Int {
        bytes[0..<min(position, bytes.count)].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    private func isBlank(_ value: UInt8) -> Bool { value == 0x20 || value == 0x09 }

    private func isSpaceOrEnd(at position: Int) -> Bool {
        position >= bytes.count || isBlank(bytes[position]) || bytes[position] == 0x0A
    }

    private var isSequenceEntry: Bool { byte == UInt8(ascii: "-") && isSpaceOrEnd(at: index + 1) && !atDocumentMarker("---") }

    private var atComment: Bool { byte == UInt8(ascii: "#") }

    /// At the end of a line's content: its break, the end, or a comment.
    private var atLineEnd: Bool {
        guard let current = byte else { return true }
        return current == 0x0A || (current == UInt8(ascii: "#") && (index == 0 || isBlank(bytes[index - 1])))
    }

    private func atDocumentMarker(_ marker: String) -> Bool {
        let markerBytes = Array(marker.utf8)
        return startOfLine(index) == index && bytes[index...].starts(with: markerBytes) && isSpaceOrEnd(at: index + markerBytes.count)
    }

    private var atAnyDocumentMarker: Bool { atDocumentMarker("---") || atDocumentMarker("...") }

    private mutating func skipSpaces() {
        while index < bytes.count, isBlank(bytes[index]) { index += 1 }
    }

    private func indentationHasTab(_ lineStart: Int) -> Bool {
        var cursor = lineStart
        while cursor < bytes.count, isBlank(bytes[cursor]) {
            if bytes[cursor] == 0x09 { return true }
            cursor += 1
        }
        return false
    }

    /// Past the rest of the line, which may hold only blanks and a comment.
    private mutating func finishLine() throws(YAMLError) {
        skipSpaces()
        if byte == UInt8(ascii: "#") {
            guard index == 0 || isBlank(bytes[index - 1]) || bytes[index - 1] == 0x0A else { throw error("a comment needs a space before '#'") }
            while index < bytes.count, bytes[index] != 0x0A { index += 1 }
        }
        guard let current = byte else { return }
        guard current == 0x0A else { throw error("unexpected text after the value") }
        index += 1
    }

    /// To the first content of the next line that has some, past empty and comment lines;
    /// false at the end.
    private mutating func skipToContent() throws(YAMLError) -> Bool {
        while index < bytes.count {
            let lineStart = startOfLine(index)
            skipSpaces()
            guard let current = byte else { return false }
            if current == 0x0A { index += 1; continue }
            if current == UInt8(ascii: "#"), index == lineStart || isBlank(bytes[index - 1]) {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                continue
            }
            if bytes[lineStart..<index].contains(0x09) { throw error("tabs cannot indent YAML", at: lineStart) }
            return true
        }
        return false
    }

    private func error(_ message: String, at position: Int? = nil) -> YAMLError {
        let position = min(position ?? index, bytes.count)
        return YAMLError(line: lineOf(position), column: position - startOfLine(position) + 1, message: message)
    }
}
