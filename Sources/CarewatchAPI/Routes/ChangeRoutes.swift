import CarewatchCore
import HTTPEngine

/// The change feed: every record a committed write changed, in order, numbered by a sequence
/// that only grows (across restarts, snapshots and restores). `GET /v1/changes` pages it;
/// `GET /v1/changes/stream` follows it as Server-Sent Events (see `ChangeStreamHub`).
struct ChangeRoutes {
    let context: APIContext

    static let defaultLimit = 100
    static let limits = 1...1000

    func register(in router: inout Router) {
        router.add(.get, "/v1/changes", context.read(changes))
        router.add(.get, "/v1/changes/stream", stream)
    }

    /// `{"data":[…],"next_since":N,"latest":N,"oldest":N}`. A `since` older than what is held
    /// is 410 Gone, naming the oldest change still held: the client must read afresh.
    @Sendable func changes(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        let reader = try QueryReader(request, allowed: ["since", "limit"])
        let view = state.history.view()
        let since = try HistoryRoutes.sequence(reader, "since") ?? view.floor
        let limit = try reader.integer("limit", in: ChangeRoutes.limits) ?? ChangeRoutes.defaultLimit
        try ChangeRoutes.check(since, in: view)
        let events = view.events(after: since, limit: limit)
        var writer = JSONWriter(pretty: representation.pretty, capacity: 400 * (events.count + 1))
        writer.beginObject()
        writer.key("data")
        writer.beginArray()
        for event in events { event.writeJSON(into: &writer) }
        writer.endArray()
        writer.key("next_since")
        writer.value(events.last?.sequence ?? since)
        writer.key("latest")
        writer.value(view.latest)
        writer.key("oldest")
        writer.value(view.oldest)
        writer.endObject()
        // A feed page is read to learn what is new: never from a cache.
        return OperationsRoutes.json(.ok, writer.bytes)
    }

    /// 410 for a position no longer held (with the oldest change held and the latest), 400
    /// for one past the latest change.
    static func check(_ since: UInt64, in view: HistoryView) throws(APIError) {
        if since < view.floor {
            var error = APIError(HTTPStatus(410), "changes after \(since) are no longer held: the oldest held is \(view.oldest) (since must be at least \(view.floor)); read the data afresh, then follow from \(view.latest)")
            error.members = [("oldest", Array(String(view.oldest).utf8)), ("latest", Array(String(view.latest).utf8))]
            throw error
        }
        if since > view.latest { throw APIError.badParameter("since", "is after the latest change, \(view.latest)") }
    }

    /// `text/event-stream` from `Last-Event-ID` (what `EventSource` sends when it
    /// reconnects) or `since=`, else from now.
    @Sendable func stream(_ request: HTTPRequest, _ responder: Responder) {
        let from: UInt64?
        do throws(APIError) {
            let reader = try QueryReader(request, allowed: ["since"], representation: false)
            var since = try HistoryRoutes.sequence(reader, "since")
            if let header = request.headers["Last-Event-ID"] {
                let text = header.trimmingCharacters(in: " \t")
                guard !text.isEmpty, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }), let id = UInt64(text) else {
                    let message = "must be the id of an event this stream sent (a change sequence), not '\(header)'"
                    throw APIError(.badRequest, "Last-Event-ID " + message, errors: [FieldError(field: "Last-Event-ID", message: message)])
                }
                since = id
            }
            from = since
        } catch {
            return responder.respond(error.response)
        }
        context.withStore(responder) { [context] store in responder.respond(context.streams.open(store, from: from)) }
    }
}
