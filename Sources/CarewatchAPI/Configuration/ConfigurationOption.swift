/// One setting as the outside world sees it: a `--flag`, its `CAREWATCH_*` variable, its
/// default and its help line. Keeping all four in one table entry is what keeps the parser,
/// the `--help` texts and the README's configuration table from drifting apart.
public struct ConfigurationOption: Sendable {
    /// Without the leading dashes, e.g. "port".
    public let flag: String
    public let environmentVariable: String
    /// Placeholder shown in help, e.g. "PORT".
    public let valueName: String
    public let summary: String
    /// The default as a user would type it.
    public let defaultValue: String
    /// The subcommands that read this setting; others ignore it (and its variable).
    public let subcommands: Set<Subcommand>
    let apply: @Sendable (inout CarewatchConfiguration, String) throws(ConfigurationValues.Invalid) -> Void

    public var flagSpelling: String { "--\(flag)" }
}

/// A flag that takes no value and belongs to one command's invocation rather than to the
/// program's settings, so it has no environment variable: `carewatch restore --replace` must
/// be asked for each time, never left switched on in an environment.
public struct CommandSwitch: Sendable {
    /// Without the leading dashes, e.g. "replace".
    public let flag: String
    public let summary: String
    public let subcommand: Subcommand

    public var flagSpelling: String { "--\(flag)" }

    public static let all: [CommandSwitch] = [
        CommandSwitch(flag: "replace", summary: "replace the data DIR holds (removed once the backup is written in its place)", subcommand: .restore),
    ]

    public static func switches(for subcommand: Subcommand) -> [CommandSwitch] {
        all.filter { $0.subcommand == subcommand }
    }
}

/// The things `carewatch` can be asked to do.
public enum Subcommand: String, Sendable, CaseIterable {
    case serve, `import`, export, restore, check, healthcheck
}

extension ConfigurationOption {
    private static let storeUsers: Set<Subcommand> = [.serve, .import, .export, .restore, .check]
    private static let serveOnly: Set<Subcommand> = [.serve]
    private static let listeners: Set<Subcommand> = [.serve, .healthcheck]
    private static let loggers: Set<Subcommand> = [.serve, .import, .export, .restore]

    /// Every setting, in the order help and the README list them.
    public static let all: [ConfigurationOption] = [
        ConfigurationOption(
            flag: "host", environmentVariable: "CAREWATCH_HOST", valueName: "ADDRESS",
            summary: "address or host name to listen on: 0.0.0.0, ::, * (IPv4 and IPv6), 127.0.0.1, ::1, or a name such as localhost (every address it resolves to)",
            defaultValue: "0.0.0.0", subcommands: listeners
        ) { config, text throws(ConfigurationValues.Invalid) in config.host = try ConfigurationValues.host(text) },
        ConfigurationOption(
            flag: "port", environmentVariable: "CAREWATCH_PORT", valueName: "PORT",
            summary: "TCP port to listen on (0 picks a free one)",
            defaultValue: "8080", subcommands: listeners
        ) { config, text throws(ConfigurationValues.Invalid) in config.port = try ConfigurationValues.port(text) },
        ConfigurationOption(
            flag: "data-dir", environmentVariable: "CAREWATCH_DATA_DIR", valueName: "DIR",
            summary: "directory for snapshots and the journal; created if missing",
            defaultValue: "carewatch-data", subcommands: storeUsers
        ) { config, text throws(ConfigurationValues.Invalid) in config.dataDirectory = try ConfigurationValues.path(text) },
        ConfigurationOption(
            flag: "seed", environmentVariable: "CAREWATCH_SEED", valueName: "FILE",
            summary: "an import document (JSON, or one CSV file) loaded instead of the embedded data when the data directory is empty",
            defaultValue: "embedded data", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.seedFile = try ConfigurationValues.path(text) },
        ConfigurationOption(
            flag: "api-keys", environmentVariable: "CAREWATCH_API_KEYS", valueName: "KEYS",
            summary: "comma-separated bearer keys allowed to write (prefer the variable or a key file: flags show in ps)",
            defaultValue: "none (writes refused)", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.apiKeys = try ConfigurationValues.apiKeys(text) },
        ConfigurationOption(
            flag: "api-key-file", environmentVariable: "CAREWATCH_API_KEY_FILE", valueName: "FILE",
            summary: "file of bearer keys, one per line, # comments; added to --api-keys",
            defaultValue: "none", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.apiKeyFile = try ConfigurationValues.path(text) },
        ConfigurationOption(
            flag: "cors-origins", environmentVariable: "CAREWATCH_CORS_ORIGINS", valueName: "ORIGINS",
            summary: "comma-separated origins allowed to call from a browser, or *",
            defaultValue: "none (CORS off)", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.corsOrigins = try ConfigurationValues.origins(text) },
        ConfigurationOption(
            flag: "threads", environmentVariable: "CAREWATCH_THREADS", valueName: "N",
            summary: "worker threads for connections",
            defaultValue: "one per core", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.threads = try ConfigurationValues.integer(text, in: 1...1024) },
        ConfigurationOption(
            flag: "max-connections", environmentVariable: "CAREWATCH_MAX_CONNECTIONS", valueName: "N",
            summary: "open connections above this are answered 503 and closed",
            defaultValue: "10000", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.maxConnections = try ConfigurationValues.integer(text, in: 1...1_000_000) },
        ConfigurationOption(
            flag: "max-body-bytes", environmentVariable: "CAREWATCH_MAX_BODY_BYTES", valueName: "SIZE",
            summary: "largest request body on writes (413 above); K, M, G suffixes are binary",
            defaultValue: "1MiB", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.maxBodyBytes = try ConfigurationValues.byteSize(text) },
        ConfigurationOption(
            flag: "max-import-body-bytes", environmentVariable: "CAREWATCH_MAX_IMPORT_BODY_BYTES", valueName: "SIZE",
            summary: "largest request body on POST /v1/import",
            defaultValue: "64MiB", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.maxImportBodyBytes = try ConfigurationValues.byteSize(text) },
        ConfigurationOption(
            flag: "max-header-bytes", environmentVariable: "CAREWATCH_MAX_HEADER_BYTES", valueName: "SIZE",
            summary: "largest request head (431 above)",
            defaultValue: "16KiB", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.maxHeaderBytes = try ConfigurationValues.byteSize(text) },
        ConfigurationOption(
            flag: "header-timeout", environmentVariable: "CAREWATCH_HEADER_TIMEOUT", valueName: "DURATION",
            summary: "time allowed for a request head to arrive (408 after); \(ConfigurationValues.DurationBounds.oneSecond.text)",
            defaultValue: "10s", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.headerTimeout = try ConfigurationValues.duration(text, .oneSecond) },
        ConfigurationOption(
            flag: "body-timeout", environmentVariable: "CAREWATCH_BODY_TIMEOUT", valueName: "DURATION",
            summary: "time allowed for a whole request body to arrive, however it trickles (408 after); \(ConfigurationValues.DurationBounds.oneSecond.text)",
            defaultValue: "30s", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.bodyTimeout = try ConfigurationValues.duration(text, .oneSecond) },
        ConfigurationOption(
            flag: "idle-timeout", environmentVariable: "CAREWATCH_IDLE_TIMEOUT", valueName: "DURATION",
            summary: "keep-alive connections idle this long are closed; \(ConfigurationValues.DurationBounds.oneSecond.text)",
            defaultValue: "60s", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.idleTimeout = try ConfigurationValues.duration(text, .oneSecond) },
        ConfigurationOption(
            flag: "write-timeout", environmentVariable: "CAREWATCH_WRITE_TIMEOUT", valueName: "DURATION",
            summary: "a client that reads nothing of a response for this long is dropped; \(ConfigurationValues.DurationBounds.oneSecond.text)",
            defaultValue: "30s", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.writeTimeout = try ConfigurationValues.duration(text, .oneSecond) },
        ConfigurationOption(
            flag: "response-timeout", environmentVariable: "CAREWATCH_RESPONSE_TIMEOUT", valueName: "DURATION",
            summary: "a request not answered within this gets 503 and its connection is closed; \(ConfigurationValues.DurationBounds.oneSecond.text)",
            defaultValue: "30s", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.responseTimeout = try ConfigurationValues.duration(text, .oneSecond) },
        ConfigurationOption(
            flag: "min-data-rate", environmentVariable: "CAREWATCH_MIN_DATA_RATE", valueName: "BYTES",
            summary: "bytes per second, averaged after 5s, below which a request body gets 408 and a slow reader is dropped (0: off)",
            defaultValue: "240", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.minimumDataRate = try ConfigurationValues.integer(text, in: 0...1_000_000_000) },
        ConfigurationOption(
            flag: "drain-timeout", environmentVariable: "CAREWATCH_DRAIN_TIMEOUT", valueName: "DURATION",
            summary: "on SIGTERM/SIGINT, time in-flight requests get before connections close; \(ConfigurationValues.DurationBounds.anyFromZero.text)",
            defaultValue: "10s", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.drainTimeout = try ConfigurationValues.duration(text, .anyFromZero) },
        ConfigurationOption(
            flag: "snapshot-every", environmentVariable: "CAREWATCH_SNAPSHOT_EVERY", valueName: "N",
            summary: "write a snapshot after this many journalled changes (0: not by count)",
            defaultValue: "100000", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.snapshotEveryChanges = try ConfigurationValues.integer(text, in: 0...100_000_000) },
        ConfigurationOption(
            flag: "snapshot-interval", environmentVariable: "CAREWATCH_SNAPSHOT_INTERVAL", valueName: "DURATION",
            summary: "write a snapshot this long after the first change since the last one (0: not by time); \(ConfigurationValues.DurationBounds.oneSecondOrOff.text)",
            defaultValue: "5m", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.snapshotInterval = try ConfigurationValues.duration(text, .oneSecondOrOff) },
        ConfigurationOption(
            flag: "history-retention", environmentVariable: "CAREWATCH_HISTORY_RETENTION", valueName: "N",
            summary: "changes kept for history, revisions and the change feed, at least (older ones go 4,096 at a time; kept across restarts)",
            defaultValue: "100000", subcommands: [.serve, .import]
        ) { config, text throws(ConfigurationValues.Invalid) in config.historyRetention = try ConfigurationValues.integer(text, in: 1...100_000_000) },
        ConfigurationOption(
            flag: "stream-heartbeat", environmentVariable: "CAREWATCH_STREAM_HEARTBEAT", valueName: "DURATION",
            summary: "an idle change stream (GET /v1/changes/stream) gets a comment line this often, so proxies keep it open; \(ConfigurationValues.DurationBounds.oneSecond.text)",
            defaultValue: "15s", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.streamHeartbeat = try ConfigurationValues.duration(text, .oneSecond) },
        ConfigurationOption(
            flag: "stream-max-lag", environmentVariable: "CAREWATCH_STREAM_MAX_LAG", valueName: "DURATION",
            summary: "a change stream whose client stays behind this long is ended with an event naming where to resume; \(ConfigurationValues.DurationBounds.oneSecond.text)",
            defaultValue: "30s", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.streamMaxLag = try ConfigurationValues.duration(text, .oneSecond) },
        ConfigurationOption(
            flag: "log-level", environmentVariable: "CAREWATCH_LOG_LEVEL", valueName: "LEVEL",
            summary: "debug, info, warning or error (standard error)",
            defaultValue: "info", subcommands: loggers
        ) { config, text throws(ConfigurationValues.Invalid) in config.logLevel = try ConfigurationValues.logLevel(text) },
        ConfigurationOption(
            flag: "access-log", environmentVariable: "CAREWATCH_ACCESS_LOG", valueName: "BOOL",
            summary: "one JSON line per request on standard output",
            defaultValue: "true", subcommands: serveOnly
        ) { config, text throws(ConfigurationValues.Invalid) in config.accessLog = try ConfigurationValues.boolean(text) },
        ConfigurationOption(
            flag: "recover", environmentVariable: "CAREWATCH_RECOVER", valueName: "BOOL",
            summary: "start even past damaged journal records, skipping them (their changes are lost; each is logged)",
            defaultValue: "false", subcommands: [.serve, .import, .export]
        ) { config, text throws(ConfigurationValues.Invalid) in config.recover = try ConfigurationValues.boolean(text) },
    ]

    public static func named(_ flag: String) -> ConfigurationOption? {
        all.first { $0.flag == flag }
    }

    public static func options(for subcommand: Subcommand) -> [ConfigurationOption] {
        all.filter { $0.subcommands.contains(subcommand) }
    }
}
