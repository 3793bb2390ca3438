import CarewatchCore
import HTTPEngine
import Synchronization

/// The list envelope `{"data": [...], "total": N, "next_cursor": ...}` and its CSV twin.
/// Every page that has a successor names it in a `Link: <…>; rel="next"` header (RFC 8288),
/// JSON and CSV alike, so a client can follow pages without knowing the query syntax.
enum Listing {
    /// Runs a store query, turning a cursor the store cannot read into a 400 that names it.
    static func page<T>(_ run: () throws(QueryError) -> Page<T>) throws(APIError) -> Page<T> {
        do {
            return try run()
        } catch {
            throw .badParameter(error.parameter, error.message)
        }
    }

    /// CSV has no envelope, so its paging facts travel in headers.
    static func render<T>(
        _ page: Page<T>, _ representation: Representation, request: HTTPRequest,
        json item: (T, inout JSONWriter) -> Void, csv: ([T]) -> [UInt8]
    ) -> (body: [UInt8], headers: [(String, String)]) {
        var headers: [(String, String)] = []
        if let next = page.nextCursor { headers.append(("Link", "<\(nextPageTarget(request, representation, cursor: next))>; rel=\"next\"")) }
        if representation.format == .csv {
            headers.append(("X-Total-Count", String(page.total)))
            if let next = page.nextCursor { headers.append(("X-Next-Cursor", next)) }
            return (csv(page.items), headers)
        }
        var writer = JSONWriter(pretty: representation.pretty, capacity: 512 * (page.items.count + 1))
        writer.beginObject()
        writer.key("data")
        writer.beginArray()
        for element in page.items { item(element, &writer) }
        writer.endArray()
        writer.field("total", page.total)
        writer.field("next_cursor", page.nextCursor)
        writer.endObject()
        return (writer.bytes, headers)
    }

    /// The same list from `cursor` on: the request's own filters, sort and limit (in the
    /// canonical order the cache keys use, so one cached page always names one next page), and
    /// the variant spelled out as parameters, so the link works without the `Accept` header
    /// that may have chosen CSV. Relative to the request's URI (RFC 8288 §3.1).
    static func nextPageTarget(_ request: HTTPRequest, _ representation: Representation, cursor: String) -> String {
        var pairs = request.query
            .filter { !["cursor", "format", "pretty"].contains($0.name) }
            .map { ($0.name, $0.value) }
        pairs.append(("cursor", cursor))
        if representation.format == .csv { pairs.append(("format", "csv")) }
        if representation.pretty { pairs.append(("pretty", "true")) }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        let path = request.path.split(separator: "/", omittingEmptySubsequences: false).map { PercentEncoding.encode(String($0)) }
        return path.joined(separator: "/") + "?" + pairs.map { PercentEncoding.encode($0.0) + "=" + PercentEncoding.encode($0.1) }.joined(separator: "&")
    }
}

enum CacheKey {
    /// A list answer depends on its path, its query (in any order) and its variant.
    /// Built in one string (this runs on every cached read), pairs in name order, values
    /// breaking ties. A query is usually in order already (`limit=50`), so it is sorted only
    /// when it is not.
    static func list(_ request: HTTPRequest, _ representation: Representation) -> String {
        let variant = representation.variant ?? ""
        var key = request.path
        key.reserveCapacity(key.utf8.count + request.target.utf8.count + variant.utf8.count + 2)
        key += "?"
        func keyed(_ pair: (name: String, value: String)) -> Bool { pair.name != "format" && pair.name != "pretty" }
        func ordered(_ a: (name: String, value: String), _ b: (name: String, value: String)) -> Bool { (a.name, a.value) < (b.name, b.value) }
        var previous: (name: String, value: String)?
        var inOrder = true
        for pair in request.query where keyed(pair) {
            if let previous, ordered(pair, previous) { inOrder = false; break }
            previous = pair
        }
        var first = true
        func append(_ pairs: some Sequence<(name: String, value: String)>) {
            for pair in pairs where keyed(pair) {
                if !first { key += "&" }
                first = false
                key += pair.name
                key += "="
                key += pair.value
            }
        }
        if inOrder { append(request.query) } else { append(request.query.sorted(by: ordered)) }
        key += "#"
        key += variant
        return key
    }
}

/// `limit=all` on a CSV list: every matching row in one answer, streamed in chunks as the
/// client reads, so a big list never sits in memory twice (the rows are rendered chunk by
/// chunk from the state the request saw). The answer has no next page; its tag is the list's
/// query and the store generation, since the same query on the same data gives the same bytes.
enum WholeCSV {
    static let rowsPerChunk = 2000

    static func response<T: Sendable>(
        _ request: HTTPRequest, _ page: Page<T>, key: String, generation: UInt64,
        csv: @escaping @Sendable ([T]) -> [UInt8]
    ) -> HTTPResponse {
        let etag = ETag.strong(for: Array("\(key)#all#\(generation)".utf8))
        var headers = HTTPHeaders()
        headers.set("ETag", etag)
        headers.set("Cache-Control", CacheableResponse.cacheControl(for: request))
        headers.set("Vary", "Accept")
        headers.set("X-Total-Count", String(page.total))
        if ETag.noneMatchHits(request.headers["If-None-Match"], etag: etag) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        headers.set("Content-Type", "text/csv; charset=utf-8")
        headers.set("Content-Disposition", "attachment; filename=\"\(fileName(request.path))\"")
        return HTTPResponse(status: .ok, headers: headers, body: .stream(ChunkSource(chunks(page.items, csv: csv))))
    }

    /// Chunks of `rowsPerChunk` rows; the header row only in the first. The list's renderer
    /// writes a header row on every call, and header rows are column names (never quoted
    /// line breaks), so later chunks drop everything up to the first line ending.
    static func chunks<T: Sendable>(
        _ items: [T], rowsPerChunk: Int = rowsPerChunk, csv: @escaping @Sendable ([T]) -> [UInt8]
    ) -> @Sendable () -> [UInt8]? {
        let position = ChunkPosition()
        return {
            guard let start = position.claim(step: rowsPerChunk, total: items.count) else { return nil }
            let bytes = csv(Array(items[start..<min(items.count, start + rowsPerChunk)]))
            guard start > 0, let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return bytes }
            return Array(bytes[(newline + 1)...])
        }
    }

    /// `carewatch-councils.csv`, `carewatch-councils-sandwell-workforce.csv`: the path after
    /// the version, reduced to characters that need no quoting anywhere.
    static func fileName(_ path: String) -> String {
        let parts = path.split(separator: "/").dropFirst(path.hasPrefix("/v1/") ? 1 : 0).map { part in
            String(part.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
        }
        return (["carewatch"] + parts).joined(separator: "-") + ".csv"
    }
}

/// Where a streamed list has got to. The engine pulls one chunk at a time, but from whichever
/// thread serves the connection, so the position is guarded.
private final class ChunkPosition: Sendable {
    private let next = Mutex(0)

    /// The first row of the next chunk, or nil once every row was handed out (an empty list
    /// still yields one chunk: its header row).
    func claim(step: Int, total: Int) -> Int? {
        next.withLock { start in
            guard start == 0 || start < total else { return nil }
            let claimed = start
            start = start == 0 && total == 0 ? 1 : start + step
            return claimed
        }
    }
}

extension APIContext {
    /// A list answer, cached per store generation and query: the JSON envelope or CSV, or
    /// with `limit=all` the whole CSV list streamed.
    func listResponse<T: Sendable>(
        _ request: HTTPRequest, _ state: StoreState, query run: () throws(QueryError) -> Page<T>,
        json item: (T, inout JSONWriter) -> Void, csv: @escaping @Sendable ([T]) -> [UInt8]
    ) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: true)
        if request.query["limit"] == QueryReader.wholeList {
            guard representation.format == .csv else {
                throw .badParameter("limit", "all is offered on CSV lists only (format=csv or Accept: text/csv); JSON lists page with cursor")
            }
            return WholeCSV.response(request, try Listing.page(run), key: CacheKey.list(request, representation),
                                     generation: state.generation, csv: csv)
        }
        let entry = try cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation)) { () throws(APIError) in
            Listing.render(try Listing.page(run), representation, request: request, json: item, csv: csv)
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }
}
