import CarewatchCore

/// Every setting of a carewatch process, with the defaults that make `carewatch` with no
/// arguments serve the embedded data on port 8080. Values come from flags and `CAREWATCH_*`
/// environment variables (see `ConfigurationOption.all`); this type only holds them, so the
/// parts that use a setting never need to know where it came from.
public struct CarewatchConfiguration: Sendable, Equatable {
    // Listening
    /// `0.0.0.0`, `::`, `*` (both families), `127.0.0.1`, `::1`, another address literal, or a
    /// host name (listened on at every address it resolves to).
    public var host: String = "0.0.0.0"
    /// 0 lets the system pick a free port (tests).
    public var port: Int = 8080
    /// Worker threads; nil means one per core.
    public var threads: Int? = nil
    public var maxConnections: Int = 10_000

    // Storage
    /// Where snapshots and the journal live; relative paths are resolved against the working directory.
    public var dataDirectory: String = "carewatch-data"
    /// A JSON import document loaded instead of the embedded data when the data directory is empty.
    public var seedFile: String? = nil
    /// Write a snapshot after this many journalled changes (0: never by count).
    public var snapshotEveryChanges: Int = 100_000
    /// Write a snapshot at most this many seconds after the first unsnapshotted change (0: never by time).
    public var snapshotInterval: Double = 300
    /// Changes kept for history and the change feed, at least.
    public var historyRetention: Int = 100_000

    // Access
    /// Bearer keys accepted for writes. Kept out of `description` so logs never show them.
    public var apiKeys: [String] = []
    /// A file with more keys, one per line (`#` comments); read at start-up, see `resolvedAPIKeys()`.
    public var apiKeyFile: String? = nil
    /// Origins allowed to call the API from a browser (`*` for any); empty turns CORS off.
    public var corsOrigins: [String] = []

    // Limits and timeouts (seconds)
    public var maxBodyBytes: Int = 1 << 20
    /// Bulk loads are bigger than single writes, so `POST /v1/import` has its own limit.
    public var maxImportBodyBytes: Int = 64 << 20
    public var maxHeaderBytes: Int = 16 << 10
    public var headerTimeout: Double = 10
    public var bodyTimeout: Double = 30
    public var idleTimeout: Double = 60
    public var writeTimeout: Double = 30
    /// A handler that has not answered after this many seconds gets a 503 in its place.
    public var responseTimeout: Double = 30
    /// Bytes per second below which a request body (408) or a client reading its answer
    /// (disconnected) is cut off, averaged after 5 s; 0 turns it off.
    public var minimumDataRate: Int = 240
    /// On SIGTERM, how long in-flight requests get to finish before connections are closed.
    public var drainTimeout: Double = 10

    // Change streams (seconds)
    /// An idle `GET /v1/changes/stream` gets a comment line this often.
    public var streamHeartbeat: Double = 15
    /// A stream whose client stays behind this long is ended with a `cut-off` event.
    public var streamMaxLag: Double = 30

    // Logging
    public var logLevel: LogLevel = .info
    /// One JSON line per request on standard output.
    public var accessLog: Bool = true
    /// Skip damaged journal records at start-up instead of refusing to start.
    public var recover: Bool = false

    /// The date and time the server goes by (`updated_at`, "today" for the rules that refuse
    /// future dates, the default `as_of`). Not a setting: the system clock, pinned by tests.
    public var clock: WallClock = .system

    public init() {}

    public enum LogLevel: String, Sendable, CaseIterable, Comparable {
        case debug, info, warning, error

        public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }
}

extension CarewatchConfiguration: CustomStringConvertible {
    /// One line for the start-up log. API keys are counted, never shown.
    public var description: String {
        var parts = [
            "host=\(host)", "port=\(port)", "data_dir=\(dataDirectory)",
            "threads=\(threads.map(String.init) ?? "auto")", "max_connections=\(maxConnections)",
            "api_keys=\(apiKeys.count)", "api_key_file=\(apiKeyFile ?? "none")",
            "cors_origins=\(corsOrigins.isEmpty ? "none" : corsOrigins.joined(separator: ","))",
            "max_body_bytes=\(maxBodyBytes)", "max_import_body_bytes=\(maxImportBodyBytes)",
            "drain_timeout=\(drainTimeout)", "history_retention=\(historyRetention)", "log_level=\(logLevel.rawValue)",
        ]
        if let seedFile { parts.append("seed=\(seedFile)") }
        return parts.joined(separator: " ")
    }
}
