import Foundation

/// One Server-Sent Event as a client sees it: its fields, or a comment line.
public struct ServerSentEventMessage: CustomStringConvertible {
    public var id: String?
    public var event: String?
    public var data: String
    /// A comment line (`: heartbeat`), which carries no event.
    public var comment: String?

    public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:] }
    public var description: String { comment.map { ": \($0)" } ?? "id=\(id ?? "-") event=\(event ?? "message") data=\(data.prefix(120))" }
}

/// A `text/event-stream` response read event by event over its own connection, as a browser's
/// EventSource would (without reconnecting: tests do that themselves).
public final class EventStreamClient {
    public let connection: RawHTTPConnection
    public let head: RawHTTPResponse
    private var pending: [UInt8] = []
    private var queued: [ServerSentEventMessage] = []
    /// The body ended (its last chunk arrived).
    public private(set) var ended = false

    public init(port: Int, target: String, headers: [(String, String)] = [], timeout: Double = 20, receiveBuffer: Int32? = nil) throws {
        connection = try RawHTTPConnection(port: port, timeout: timeout, receiveBuffer: receiveBuffer)
        guard connection.send(RawHTTPConnection.requestBytes("GET", target, headers: headers)) else { throw RawHTTPError.closedBeforeResponse([]) }
        head = try connection.readHead()
    }

    /// The next event or comment; nil once the body has ended.
    public func next() throws -> ServerSentEventMessage? {
        while queued.isEmpty {
            guard !ended else { return nil }
            let chunk = try connection.readChunk()
            if chunk.isEmpty { ended = true } else { pending += chunk }
            // Every complete event in what has arrived, scanned once.
            var start = 0
            var index = 0
            while index + 1 < pending.count {
                if pending[index] == 10 && pending[index + 1] == 10 {
                    queued.append(ServerSentEventMessage.parse(String(decoding: pending[start..<index], as: UTF8.self)))
                    start = index + 2
                    index = start
                } else {
                    index += 1
                }
            }
            pending.removeFirst(start)
        }
        return queued.removeFirst()
    }

    /// Events up to and including the first that `stop` accepts (comments skipped unless asked for).
    public func events(until stop: (ServerSentEventMessage) -> Bool, comments: Bool = false) throws -> [ServerSentEventMessage] {
        var events: [ServerSentEventMessage] = []
        while let event = try next() {
            if event.comment != nil && !comments { continue }
            events.append(event)
            if stop(event) { break }
        }
        return events
    }

    public func close() { connection.close() }
}

extension ServerSentEventMessage {
    /// One event's lines (without the blank line that ends it).
    public static func parse(_ block: String) -> ServerSentEventMessage {
        var message = ServerSentEventMessage(id: nil, event: nil, data: "", comment: nil)
        var data: [String] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                message.comment = String(line.dropFirst()).trimmingCharacters(in: .whitespaces)
                continue
            }
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let value = parts.count > 1 ? String(parts[1].drop { $0 == " " }) : ""
            switch parts[0] {
            case "id": message.id = value
            case "event": message.event = value
            case "data": data.append(value)
            default: break
            }
        }
        message.data = data.joined(separator: "\n")
        return message
    }
}
