/// What one invocation of `carewatch` asks for, fully resolved from its arguments and
/// environment. The CLI switches over it; nothing here touches the network or the disk.
public enum Command: Sendable, Equatable {
    /// Serve the API until SIGTERM/SIGINT.
    case serve(CarewatchConfiguration)
    /// Load a JSON import document or a CSV file into the data directory, all or nothing.
    /// `path` "-" means standard input.
    case importFile(path: String, configuration: CarewatchConfiguration)
    /// Write the whole store as one JSON import document; nil `path` (or "-") means standard output.
    case export(path: String?, configuration: CarewatchConfiguration)
    /// Make the data directory hold exactly the export document at `path` ("-": standard
    /// input); a directory that holds data is replaced only when `replace` is true.
    case restore(path: String, replace: Bool, configuration: CarewatchConfiguration)
    /// Open the data directory read-only, verify snapshot and journal, report counts.
    case check(CarewatchConfiguration)
    /// Ask a running server whether it is ready; exit 0 if it answers 200.
    case healthcheck(HealthcheckTarget)
    /// Print this text to standard output and exit 0.
    case help(String)
    /// Print this text to standard output and exit 0.
    case version(String)
}

/// Where `carewatch healthcheck` looks. A server listening on every interface is asked on
/// loopback, which is what a container health check needs.
public struct HealthcheckTarget: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var path: String
    /// Seconds for connect, request and answer together.
    public var timeout: Double

    public init(host: String, port: Int, path: String = "/readyz", timeout: Double = 5) {
        self.host = host
        self.port = port
        self.path = path
        self.timeout = timeout
    }

    /// The address to connect to for a server configured to listen on `listenHost`.
    public static func connectHost(forListenHost listenHost: String) -> String {
        switch listenHost {
        case "0.0.0.0", "*", "": return "127.0.0.1"
        case "::": return "::1"
        default: return listenHost
        }
    }
}

/// The program's version, printed by `--version` and offered to the API (OpenAPI `info.version`).
public enum CarewatchVersion {
    public static let number = "1.0.0"
}
