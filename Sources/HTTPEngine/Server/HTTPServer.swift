import Glibc
import Dispatch
import Synchronization

public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The public face of the engine: binds, accepts, and hands complete requests to one handler.
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    let handler: HTTPHandler
    let bodyLimitFor: @Sendable (HTTPMethod, String) -> Int?

    public convenience init(configuration: ServerConfiguration, router: Router) {
        let handler = router.makeHandler()
        self.init(configuration: configuration, handler: handler, bodyLimit: { router.bodyLimit(method: $0, path: $1) })
    }

    public init(configuration: ServerConfiguration, handler: @escaping HTTPHandler,
                bodyLimit: @escaping @Sendable (HTTPMethod, String) -> Int? = { _, _ in nil }) {
        self.configuration = configuration
        self.handler = handler
        self.bodyLimitFor = bodyLimit
    }

    public func start() throws { throw HTTPServerError("not implemented yet") }
    public var boundPort: Int { 0 }
    public var openConnections: Int { 0 }
    public var isDraining: Bool { false }
    public func shutdown(timeout: Double? = nil) {}
    public func runUntilTerminated(beforeDrain: @Sendable () -> Void = {}, afterDrain: @Sendable () -> Void = {}) {}
}
