import HTTPEngine

/// How a GET wants its answer: JSON (compact or `pretty=true`) or, for lists, statistics
/// and comparisons, CSV
/// (`format=csv` or `Accept: text/csv`). Decided once per request, and part of every cache
/// key, since each variant has its own bytes and ETag.
struct Representation: Sendable {
    enum Format: String, Sendable { case json, csv }

    let format: Format
    let pretty: Bool

    /// The cache-key and ETag suffix of this variant (nil for the default compact JSON).
    var variant: String? {
        switch (format, pretty) {
        case (.json, false): return nil
        case (.json, true): return "pretty"
        case (.csv, _): return "csv"
        }
    }

    init(_ request: HTTPRequest, csvAllowed: Bool) throws(APIError) {
        switch request.query["format"] {
        case nil:
            format = csvAllowed && Representation.acceptsCSVFirst(request.headers["Accept"]) ? .csv : .json
        case "json":
            format = .json
        case "csv" where csvAllowed:
            format = .csv
        case "csv":
            throw .badParameter("format", "csv is not offered here (lists, statistics and comparisons offer it)")
        default:
            throw .badParameter("format", "must be json\(csvAllowed ? " or csv" : "")")
        }
        switch request.query["pretty"] {
        case nil, "false", "0": pretty = false
        case "", "true", "1": pretty = true
        default: throw .badParameter("pretty", "must be true or false")
        }
    }

    /// A write's answer: JSON, compact or `pretty=true`; the write takes no other parameter.
    init(writing request: HTTPRequest) throws(APIError) {
        try self.init(request, csvAllowed: false)
        _ = try QueryReader(request, allowed: [])
    }

    /// CSV only when the client asks for it more than for JSON; `*/*` and browsers get JSON.
    static func acceptsCSVFirst(_ accept: String?) -> Bool {
        guard let accept, accept.contains("text/csv") else { return false }
        var best: (csv: Double, json: Double) = (0, 0)
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";")
            let type = parts[0].trimmingCharacters(in: " \t").lowercased()
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingCharacters(in: " \t")
                if pair.hasPrefix("q="), let value = Double(pair.dropFirst(2)) { quality = value }
            }
            if type == "text/csv" { best.csv = max(best.csv, quality) }
            if type == "application/json" || type == "application/*" { best.json = max(best.json, quality) }
        }
        return best.csv > 0 && best.csv >= best.json
    }

    var contentType: String {
        format == .csv ? "text/csv; charset=utf-8" : "application/json"
    }
}

/// Builds GET answers: the body with its ETag, or `304 Not Modified` when the client's copy
/// is current.
///
/// Reads scale out through standard caches: a shared cache (nginx `proxy_cache`, a CDN) may
/// serve an answer for `max-age` seconds, then serve it stale for up to
/// `stale-while-revalidate` more while it revalidates with the ETag (a `304` costs no body),
/// so a write is visible everywhere within `max-age` of its answer. A request that carries
/// credentials gets `private, no-cache`: no shared cache keeps what it was shown.
enum CacheableResponse {
    static let maxAge = 5
    static let staleWhileRevalidate = 30
    static let cacheControl = "public, max-age=\(maxAge), stale-while-revalidate=\(staleWhileRevalidate)"
    static let privateCacheControl = "private, no-cache"

    /// The Cache-Control of a readable answer to `request`.
    static func cacheControl(for request: HTTPRequest) -> String {
        request.headers["Authorization"] == nil ? cacheControl : privateCacheControl
    }

    static func make(_ entry: EncodedCache.Entry, representation: Representation, request: HTTPRequest) -> HTTPResponse {
        // A fresh list: added, not set (nothing to replace); room for the request id and CORS.
        var headers = HTTPHeaders(reservingCapacity: 8 + entry.headers.count)
        headers.add("ETag", entry.etag)
        headers.add("Cache-Control", cacheControl(for: request))
        headers.add("Vary", "Accept")
        for (name, value) in entry.headers { headers.add(name, value) }
        if ETag.noneMatchHits(request.headers["If-None-Match"], etag: entry.etag) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        headers.add("Content-Type", representation.contentType)
        return HTTPResponse(status: .ok, headers: headers, body: .bytes(entry.body))
    }
}

/// The answer to a successful create or update: the stored representation with its new
/// ETag, so an editor can chain the next `If-Match` without reading again.
enum WrittenResponse {
    static func make(_ entry: EncodedCache.Entry, status: HTTPStatus, location: String? = nil) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set("Content-Type", "application/json")
        headers.set("ETag", entry.etag)
        headers.set("Cache-Control", "no-store")
        if let location { headers.set("Location", location) }
        return HTTPResponse(status: status, headers: headers, body: .bytes(entry.body))
    }
}
