/// Completes one request. Cheap to copy; calling it from any thread is fine because the engine hops
/// to the connection's queue. Only the first call counts.
public struct Responder: Sendable {
    let send: @Sendable (HTTPResponse) -> Void
    public init(_ send: @escaping @Sendable (HTTPResponse) -> Void) { self.send = send }
    public func respond(_ response: HTTPResponse) { send(response) }
}

/// Handlers run on an event-loop queue: they must not block it. Work that waits (disk, locks held
/// long) belongs on another queue, responding from there.
public typealias HTTPHandler = @Sendable (HTTPRequest, Responder) -> Void

public protocol HTTPMiddleware: Sendable {
    func handle(_ request: HTTPRequest, _ responder: Responder, next: HTTPHandler)
}
