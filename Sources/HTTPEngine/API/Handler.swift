/// Completes one request. Cheap to copy; calling it from any thread is fine because the engine hops
/// to the connection's queue. Only the first call counts.
///
/// The response is passed on, not shared (`consuming`): a middleware that adds a header on the
/// way back changes it in place instead of copying its header list.
public struct Responder: Sendable {
    let send: @Sendable (consuming HTTPResponse) -> Void
    public init(_ send: @escaping @Sendable (consuming HTTPResponse) -> Void) { self.send = send }
    public func respond(_ response: consuming HTTPResponse) { send(response) }
}

/// Handlers run on an event-loop queue: they must not block it. Work that waits (disk, locks held
/// long) belongs on another queue, responding from there. The request is handed over
/// (`consuming`), so a middleware that sets a field does so without copying the request.
public typealias HTTPHandler = @Sendable (consuming HTTPRequest, Responder) -> Void

public protocol HTTPMiddleware: Sendable {
    func handle(_ request: consuming HTTPRequest, _ responder: Responder, next: HTTPHandler)
}
