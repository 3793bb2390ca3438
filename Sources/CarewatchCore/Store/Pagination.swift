/// A value a list can be sorted by. Nulls sort last in both directions, so "newest first"
/// does not start with the undated records.
enum SortValue: Equatable {
    case null
    case int(Int)
    case double(Double)
    case string(String)

    func ordered(before other: SortValue, descending: Bool) -> Bool? {
        switch (self, other) {
        case (.null, .null): return nil
        case (.null, _): return false
        case (_, .null): return true
        case let (.int(a), .int(b)): return a == b ? nil : (a < b) != descending
        case let (.double(a), .double(b)): return a == b ? nil : (a < b) != descending
        case let (.string(a), .string(b)): return a == b ? nil : (a < b) != descending
        default: return nil
        }
    }

    var json: JSONValue {
        switch self {
        case .null: return .null
        case .int(let value): return .number(Double(value))
        case .double(let value): return .number(value)
        case .string(let value): return .string(value)
        }
    }

    init?(json: JSONValue, like example: SortKind) {
        switch (json, example) {
        case (.null, _): self = .null
        case (.number(let value), .int): guard let int = json.intValue else { return nil }; self = .int(int); _ = value
        case (.number(let value), .double): self = .double(value)
        case (.string(let value), .string): self = .string(value)
        default: return nil
        }
    }
}

enum SortKind { case int, double, string }

/// Keyset pagination: a cursor holds the list it pages, the sort order, the last item's sort
/// value and its unique id, and the next page starts strictly after that position. Inserting
/// or deleting records between requests therefore never repeats or skips a record that stays
/// put. A cursor is refused on any other list (another record's history would otherwise
/// answer an empty page as if it had no more versions).
enum Paginator {
    /// - Parameters:
    ///   - list: what the cursor is bound to: the collection, or the one record whose history
    ///     it pages.
    ///   - sortable: whether the list takes `sort` (a refusal names a sort only where it does).
    static func page<T>(
        _ candidates: [T], list: String, sortable: Bool = true, sort: SortKey, kind: SortKind, limit: Int, cursor: String?,
        value: (T) -> SortValue, id: (T) -> String
    ) throws(QueryError) -> Page<T> {
        guard PageLimit.range.contains(limit) || limit == PageLimit.whole else {
            throw QueryError(parameter: "limit", message: "must be between \(PageLimit.range.lowerBound) and \(PageLimit.range.upperBound)")
        }
        var keyed = candidates.map { (value: value($0), id: id($0), item: $0) }
        let descending = sort.descending
        func less(_ a: (value: SortValue, id: String), _ b: (value: SortValue, id: String)) -> Bool {
            if let ordered = a.value.ordered(before: b.value, descending: descending) { return ordered }
            return a.id < b.id
        }
        keyed.sort { less(($0.value, $0.id), ($1.value, $1.id)) }
        var start = 0
        if let cursor {
            let position = try decode(cursor, list: list, sortable: sortable, sort: sort, kind: kind)
            var low = 0, high = keyed.count
            while low < high {
                let mid = (low + high) / 2
                if less(position, (keyed[mid].value, keyed[mid].id)) { high = mid } else { low = mid + 1 }
            }
            start = low
        }
        let end = limit >= keyed.count - start ? keyed.count : start + limit
        let items = keyed[start..<end].map(\.item)
        let next = end < keyed.count && end > start ? encode(list: list, sort: sort, value: keyed[end - 1].value, id: keyed[end - 1].id) : nil
        return Page(items: items, total: keyed.count, nextCursor: next)
    }

    static func encode(list: String, sort: SortKey, value: SortValue, id: String) -> String {
        let json: JSONValue = .array([.string(list), .string(sort.description), value.json, .string(id)])
        return Base64URL.encode(json.serialized())
    }

    static func decode(_ cursor: String, list: String, sortable: Bool, sort: SortKey, kind: SortKind) throws(QueryError) -> (value: SortValue, id: String) {
        let invalid = QueryError(parameter: "cursor", message: "is not a cursor this list gave out")
        guard let bytes = Base64URL.decode(cursor), let json = try? JSONParser.parse(bytes),
              case .array(let parts) = json, parts.count == 4, case .string(let owner) = parts[0], case .string(let order) = parts[1],
              case .string(let id) = parts[3] else { throw invalid }
        guard owner == list, sortable || order == sort.description else {
            throw QueryError(parameter: "cursor", message: "belongs to another list (\(owner)), not this one (\(list)): a cursor pages only the list that gave it out")
        }
        guard order == sort.description else {
            throw QueryError(parameter: "cursor", message: "belongs to sort=\(order), not sort=\(sort.description)")
        }
        guard let value = SortValue(json: parts[2], like: kind) else { throw invalid }
        return (value, id)
    }

    static func validateSort(_ sort: SortKey?, allowed: [String], default defaultSort: SortKey) throws(QueryError) -> SortKey {
        guard let sort else { return defaultSort }
        guard allowed.contains(sort.field) else {
            throw QueryError(parameter: "sort", message: "must be one of " + allowed.joined(separator: ", ") + " (prefix - for descending)")
        }
        return sort
    }
}

/// RFC 4648 base64url without padding: cursors go in query strings untouched.
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { output.append(alphabet[Int((chunk >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let chunk = UInt32(bytes[index]) << 16
            output.append(alphabet[Int((chunk >> 18) & 63)])
            output.append(alphabet[Int((chunk >> 12) & 63)])
        } else if rest == 2 {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output.append(alphabet[Int((chunk >> 18) & 63)])
            output.append(alphabet[Int((chunk >> 12) & 63)])
            output.append(alphabet[Int((chunk >> 6) & 63)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(UInt32(byte - 65))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(UInt32(byte - 71))
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(UInt32(byte) + 4)
            case UInt8(ascii: "-"): values.append(62)
            case UInt8(ascii: "_"): values.append(63)
            default: return nil
            }
        }
        guard values.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < values.count {
            let count = min(4, values.count - index)
            var chunk: UInt32 = 0
            for offset in 0..<4 { chunk = chunk << 6 | (offset < count ? values[index + offset] : 0) }
            output.append(UInt8((chunk >> 16) & 0xFF))
            if count > 2 { output.append(UInt8((chunk >> 8) & 0xFF)) }
            if count > 3 { output.append(UInt8(chunk & 0xFF)) }
            index += 4
        }
        return output
    }
}
