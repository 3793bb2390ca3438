import CarewatchCore
import Synchronization

/// Keeps the encoded bytes (and their ETag) of hot representations together with the
/// version of the data they were made from, so a GET of unchanged data costs a dictionary
/// look-up instead of an encoding. A stale entry is simply replaced on the next miss.
final class EncodedCache: Sendable {
    struct Stamp: Hashable, Sendable {
        var major: UInt64
        var minor: UInt64 = 0
    }

    struct Entry: Sendable {
        let stamp: Stamp
        let body: [UInt8]
        let etag: String
        /// Headers that belong to this body (the paging facts of a CSV list).
        var headers: [(String, String)] = []
    }

    private struct Table {
        var entries: [String: Entry] = [:]
        var bytes = 0
    }

    private let table = Mutex(Table())
    /// Keys include client-chosen query strings, so the table is bounded, in entries and in
    /// bytes (a comparison of every measure is ~140 KB); when either fills it starts again,
    /// which costs at most one encoding per hot key.
    private let capacity: Int
    private let byteBudget: Int

    init(capacity: Int = 4096, byteBudget: Int = 64 << 20) {
        self.capacity = capacity
        self.byteBudget = byteBudget
    }

    /// `etag` names the representation when it has a version of its own (single resources,
    /// which `If-Match` compares against); otherwise the tag is derived from the bytes.
    func entry(for key: String, stamp: Stamp, etag: String? = nil, make: () throws(APIError) -> [UInt8]) throws(APIError) -> Entry {
        try entry(for: key, stamp: stamp, etag: etag) { () throws(APIError) in (try make(), []) }
    }

    func entry(for key: String, stamp: Stamp, etag: String? = nil, make: () throws(APIError) -> (body: [UInt8], headers: [(String, String)])) throws(APIError) -> Entry {
        if let cached = cached(key, stamp: stamp) { return cached }
        let (body, headers) = try make()
        let entry = Entry(stamp: stamp, body: body, etag: etag ?? ETag.strong(for: body), headers: headers)
        table.withLock { table in
            if table.entries.count >= capacity || table.bytes + body.count > byteBudget {
                table.entries.removeAll(keepingCapacity: true)
                table.bytes = 0
            }
            table.bytes += body.count - (table.entries.updateValue(entry, forKey: key)?.body.count ?? 0)
        }
        return entry
    }

    /// The entry made for `key` at `stamp`, if there is one (a hit costs no other work).
    func cached(_ key: String, stamp: Stamp) -> Entry? {
        guard let entry = table.withLock({ $0.entries[key] }), entry.stamp == stamp else { return nil }
        return entry
    }

    /// One resource's JSON (compact or pretty), tagged by its version so that `If-Match`
    /// compares versions whichever variant the client read.
    func resource(_ key: String, stamp: Stamp, pretty: Bool, write: (inout JSONWriter) -> Void) throws(APIError) -> Entry {
        try entry(for: "\(key):\(pretty)", stamp: stamp, etag: ETag.version(stamp, variant: pretty ? "pretty" : nil)) { () throws(APIError) in
            var writer = JSONWriter(pretty: pretty)
            write(&writer)
            return writer.bytes
        }
    }
}
