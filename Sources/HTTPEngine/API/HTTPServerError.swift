import Glibc

/// Why the server could not start. An enum, so that a caller can tell "the port is taken"
/// from "the route table is wrong" without reading the message.
public enum HTTPServerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another socket is bound to the address (`EADDRINUSE`).
    case addressInUse(address: String)
    /// Creating, binding or listening on a socket failed with `errno`.
    case socketFailed(address: String, operation: String, errno: Int32)
    /// The listen host is neither an address literal nor a name that resolves.
    case cannotResolveHost(String, reason: String)
    case invalidPort(Int)
    /// `start()` was called on a server that is running or has run.
    case alreadyStarted
    /// The same method and path pattern were registered twice; the second would silently win.
    case duplicateRoute(method: HTTPMethod, pattern: String)

    /// The system's error number, when a system call failed.
    public var systemErrorCode: Int32? {
        if case .socketFailed(_, _, let code) = self { return code }
        if case .addressInUse = self { return EADDRINUSE }
        return nil
    }

    public var description: String {
        switch self {
        case .addressInUse(let address):
            return "Cannot listen on \(address): address already in use"
        case .socketFailed(let address, let operation, let code):
            return "Cannot \(operation) \(address): \(String(cString: strerror(code)))"
        case .cannotResolveHost(let host, let reason):
            return "Cannot resolve listen host \(host): \(reason)"
        case .invalidPort(let port):
            return "Invalid port \(port): must be 0...65535"
        case .alreadyStarted:
            return "Server already started"
        case .duplicateRoute(let method, let pattern):
            return "Route \(method.rawValue) \(pattern) is registered twice"
        }
    }
}
