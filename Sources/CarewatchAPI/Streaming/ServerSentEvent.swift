import CarewatchCore

/// The change feed as Server-Sent Events (the WHATWG HTML "text/event-stream" format): each
/// change is one `change` event whose `id` is its sequence, so a browser's `EventSource`
/// resumes by itself (it sends the last id back as `Last-Event-ID`). The other events say
/// where the stream stands: `ready` first, `reset` when the asked position is not held,
/// and a last `cut-off` or `shutdown` naming the id to resume from. A comment line is the
/// heartbeat that keeps idle proxies from closing the connection.
enum ServerSentEvent {
    /// How long an `EventSource` waits before it reconnects (milliseconds).
    static let retryMilliseconds = 2000

    static let heartbeat = Array(": heartbeat\n\n".utf8)

    /// `id: 42`, `event: change`, `data: {…}` and the blank line that ends the event.
    static func change(_ event: HistoryEvent) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        event.writeJSON(into: &writer)
        return frame(id: event.sequence, event: "change", data: writer.bytes)
    }

    /// The first event: the stream is live, from `since` on.
    static func ready(since: UInt64, view: HistoryView) -> [UInt8] {
        var bytes = Array("retry: \(retryMilliseconds)\n".utf8)
        bytes += frame(id: since, event: "ready", data: object([("since", since), ("latest", view.latest), ("oldest", view.oldest)], detail: nil))
        return bytes
    }

    /// The asked position is older than the history held, or newer than any change: what
    /// happened meanwhile is unknown, so the client reads afresh and follows from `latest`.
    static func reset(asked: UInt64, view: HistoryView) -> [UInt8] {
        let why = asked < view.floor
            ? "changes after \(asked) are no longer held (the oldest held is \(view.oldest)): read the data afresh, then follow from \(view.latest)"
            : "there is no change \(asked) yet (the latest is \(view.latest)): read the data afresh, then follow from \(view.latest)"
        return frame(id: view.latest, event: "reset", data: object([("asked", asked), ("latest", view.latest), ("oldest", view.oldest)], detail: why))
    }

    /// The last event of a stream whose client fell too far behind.
    static func cutOff(resumeFrom cursor: UInt64, behind: Int) -> [UInt8] {
        frame(id: cursor, event: "cut-off", data: object([("resume_from", cursor)],
              detail: "this client fell \(behind) changes behind for too long and was disconnected; reconnect with Last-Event-ID: \(cursor) (EventSource does), or page through GET /v1/changes?since=\(cursor)"))
    }

    /// The last event of a stream ended because the server is stopping.
    static func shutdown(resumeFrom cursor: UInt64) -> [UInt8] {
        frame(id: cursor, event: "shutdown", data: object([("resume_from", cursor)],
              detail: "the server is shutting down; reconnect with Last-Event-ID: \(cursor) (EventSource does)"))
    }

    private static func object(_ numbers: [(String, UInt64)], detail: String?) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        for (name, value) in numbers {
            writer.key(name)
            writer.value(value)
        }
        if let detail { writer.field("detail", detail) }
        writer.endObject()
        return writer.bytes
    }

    private static func frame(id: UInt64, event: String, data: [UInt8]) -> [UInt8] {
        var bytes = Array("id: \(id)\nevent: \(event)\ndata: ".utf8)
        bytes.reserveCapacity(bytes.count + data.count + 2)
        bytes += data
        bytes += [0x0A, 0x0A]
        return bytes
    }
}
