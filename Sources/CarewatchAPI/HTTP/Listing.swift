import CarewatchCore
import HTTPEngine

/// The list envelope `{"data": [...], "total": N, "next_cursor": ...}` and its CSV twin.
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
        _ page: Page<T>, _ representation: Representation,
        json item: (T, inout JSONWriter) -> Void, csv: ([T]) -> [UInt8]
    ) -> (body: [UInt8], headers: [(String, String)]) {
        if representation.format == .csv {
            var headers = [("X-Total-Count", String(page.total))]
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
        return (writer.bytes, [])
    }
}

enum CacheKey {
    /// A list answer depends on its path, its query (in any order) and its variant.
    static func list(_ request: HTTPRequest, _ representation: Representation) -> String {
        let pairs = request.query
            .filter { $0.name != "format" && $0.name != "pretty" }
            .map { "\($0.name)=\($0.value)" }
            .sorted()
        return request.path + "?" + pairs.joined(separator: "&") + "#" + (representation.variant ?? "")
    }
}

extension APIContext {
    /// A list answer, cached per store generation and query: the JSON envelope or CSV.
    func listResponse<T>(
        _ request: HTTPRequest, _ state: StoreState, query run: () throws(QueryError) -> Page<T>,
        json item: (T, inout JSONWriter) -> Void, csv: ([T]) -> [UInt8]
    ) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: true)
        let entry = try cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation)) { () throws(APIError) in
            Listing.render(try Listing.page(run), representation, json: item, csv: csv)
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }
}
