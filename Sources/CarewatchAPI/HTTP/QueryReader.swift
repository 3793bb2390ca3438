import CarewatchCore
import HTTPEngine

/// Reads a request's query parameters against the set a route accepts. Anything unknown,
/// repeated or unparsable is a 400 naming the parameter: a typo such as `regoin=London` must
/// not silently return the unfiltered list to a dashboard.
struct QueryReader {
    private let query: QueryParameters

    /// Parameters every GET accepts: representation choices, not filters.
    static let representationParameters: Set<String> = ["pretty", "format"]
    /// Parameters every list accepts on top of its filters.
    static let listParameters: Set<String> = ["limit", "cursor", "sort"]

    /// - Parameter representation: whether `pretty` and `format` are taken too (everything
    ///   but DELETE, which answers no body).
    init(_ request: HTTPRequest, allowed: Set<String>, representation: Bool = true) throws(APIError) {
        query = request.query
        // Checked without building sets: this runs on every read, where a query has a few
        // parameters at most (a set per request was a tenth of a cached list's handler).
        var index = 0
        for (name, _) in query {
            guard allowed.contains(name) || (representation && QueryReader.representationParameters.contains(name)) else {
                let allowed = representation ? allowed.union(QueryReader.representationParameters) : allowed
                throw .badParameter(name, allowed.isEmpty ? "is not a parameter of this endpoint (it takes none)"
                                                          : "is not a parameter of this endpoint (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            // Every name is one the route takes, so there are few distinct ones; comparing
            // with those before is cheaper than hashing into a set.
            if query.prefix(index).contains(where: { $0.name == name }) { throw .badParameter(name, "must not be repeated") }
            index += 1
        }
    }

    /// - Parameter maxLength: the longest value taken, in code points (as openapi.yaml's
    ///   `maxLength` counts).
    func string(_ name: String, maxLength: Int? = nil) throws(APIError) -> String? {
        guard let value = query[name] else { return nil }
        guard !value.isEmpty else { throw .badParameter(name, "must not be empty") }
        if let maxLength, value.unicodeScalars.count > maxLength { throw .badParameter(name, "must be at most \(maxLength) characters") }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = try string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badParameter(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func date(_ name: String) throws(APIError) -> CalendarDate? {
        guard let text = try string(name) else { return nil }
        guard let date = CalendarDate(iso: text) else { throw .badParameter(name, "must be a date that exists, as YYYY-MM-DD") }
        return date
    }

    func boolean(_ name: String) throws(APIError) -> Bool? {
        guard let text = query[name] else { return nil }
        switch text {
        case "", "true", "1": return true
        case "false", "0": return false
        default: throw .badParameter(name, "must be true or false")
        }
    }

    func choice<T: RawRepresentable>(_ name: String, _ type: T.Type) throws(APIError) -> T? where T.RawValue == String, T: CaseIterable {
        guard let text = try string(name) else { return nil }
        guard let value = T(rawValue: text) else {
            throw .badParameter(name, "must be one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    /// `region=`: a region's name in any case ("west midlands") or its E12 code, as
    /// `/v1/figures?area=` takes it.
    func region(_ name: String = "region") throws(APIError) -> Region? {
        guard let text = try string(name) else { return nil }
        guard let region = Region(named: text) else {
            throw .badParameter(name, "names no region: give one of \(Region.allCases.map(\.rawValue).joined(separator: ", ")) (any case) or its code, E12000001 to E12000009")
        }
        return region
    }

    /// `limit=all`: a CSV list whole, in one streamed answer (see `WholeCSV`).
    static let wholeList = "all"

    /// `limit` (1...500, default 50, or `all` for the whole list where `whole` allows it: a
    /// list with a CSV form) and the opaque `cursor`.
    func page(whole: Bool = true) throws(APIError) -> (limit: Int, cursor: String?) {
        let cursor = try string("cursor")
        if whole, query["limit"] == QueryReader.wholeList { return (PageLimit.whole, cursor) }
        guard let text = try string("limit") else { return (PageLimit.default, cursor) }
        guard let limit = Int(text), PageLimit.range.contains(limit) else {
            let range = "must be an integer from \(PageLimit.range.lowerBound) to \(PageLimit.range.upperBound)"
            throw .badParameter("limit", whole ? range + ", or all (CSV lists)" : range + " (a JSON-only list pages with cursor)")
        }
        return (limit, cursor)
    }

    /// `sort=field` or `sort=-field`, from the fields a list can be sorted by.
    func sort(allowed fields: [String]) throws(APIError) -> SortKey? {
        guard let text = try string("sort") else { return nil }
        let key = SortKey(parameter: text)
        guard fields.contains(key.field) else {
            throw .badParameter("sort", "must be one of \(fields.joined(separator: ", ")), optionally prefixed with '-'")
        }
        return key
    }
}
