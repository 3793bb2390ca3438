import Synchronization

/// What every connection needs from the server, shared read-only (plus two atomics) so that
/// connections never reach back into the server object.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let limits: ParserLimits
    let handler: HTTPHandler
    let bodyLimitFor: @Sendable (HTTPMethod, String) -> Int?
    let serverHeaderLine: [UInt8]?
    /// An array, not the configuration's Set: a short linear scan beats hashing a String per request.
    let lengthRequiredMethods: [HTTPMethod]
    let openConnections = Atomic<Int>(0)
    let draining = Atomic<Bool>(false)

    init(configuration: ServerConfiguration, handler: @escaping HTTPHandler,
         bodyLimitFor: @escaping @Sendable (HTTPMethod, String) -> Int?) {
        self.configuration = configuration
        self.limits = ParserLimits(configuration)
        self.handler = handler
        self.bodyLimitFor = bodyLimitFor
        self.lengthRequiredMethods = Array(configuration.lengthRequiredMethods)
        if let name = configuration.serverName {
            serverHeaderLine = Array("Server: \(name)\r\n".utf8)
        } else {
            serverHeaderLine = nil
        }
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
}
