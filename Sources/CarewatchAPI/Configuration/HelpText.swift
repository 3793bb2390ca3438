/// The `--help` texts, generated from `ConfigurationOption.all` so that every flag is
/// listed with its variable and default exactly as the parser understands it.
public enum HelpText {
    public static let overview = """
        carewatch \(CarewatchVersion.number): English councils' children's services inspections and
        social work workforce figures, served as a JSON API.

        Usage: carewatch [COMMAND] [OPTIONS]

        Commands:
          serve            serve the API (the default command)
          import FILE      add a JSON import document or a CSV file to the data directory's data
          export [FILE]    write the whole store as one JSON document, a backup (default: standard output)
          restore FILE     make a data directory hold exactly what a backup (an export) holds
          check [DATA_DIR] verify a data directory's snapshots and journal without serving
          healthcheck      exit 0 if the server on CAREWATCH_PORT answers /readyz with 200

        Every option can also be set by its environment variable; a flag wins over its variable.
        Run 'carewatch COMMAND --help' for a command's options, 'carewatch --version' for the version.

        """

    public static func text(for subcommand: Subcommand) -> String {
        var text = "Usage: \(usage(subcommand))\n\n\(purpose(subcommand))\n\nOptions:\n"
        var rows = ConfigurationOption.options(for: subcommand).map { option in
            ("\(option.flagSpelling) \(option.valueName)", summary(of: option, for: subcommand),
             "env \(option.environmentVariable), default \(option.defaultValue)")
        }
        if subcommand == .healthcheck {
            rows.append(("--timeout DURATION", "give up after this long",
                         "env \(CommandLineParser.healthcheckTimeoutVariable), default 5s"))
        }
        for commandSwitch in CommandSwitch.switches(for: subcommand) {
            rows.append((commandSwitch.flagSpelling, commandSwitch.summary, ""))
        }
        rows.append(("-h, --help", "show this help", ""))
        let width = rows.map(\.0.count).max() ?? 0
        let indent = String(repeating: " ", count: width + 4)
        for (flag, summary, details) in rows {
            let lines = wrapped(summary, width: lineWidth - indent.count) + (details.isEmpty ? [] : [details])
            text += "  \(flag)\(String(repeating: " ", count: width - flag.count + 2))\(lines[0])\n"
            for line in lines.dropFirst() { text += indent + line + "\n" }
        }
        return text
    }

    /// Help fits an 100-column terminal.
    static let lineWidth = 100

    /// `text` in lines of at most `width` characters, broken at spaces.
    private static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        return lines + [line]
    }

    /// Where a command uses a setting differently from the server, its help says how:
    /// healthcheck reads the server's own settings to find it, export and check only read.
    private static func summary(of option: ConfigurationOption, for subcommand: Subcommand) -> String {
        switch (subcommand, option.flag) {
        case (.healthcheck, "host"): return "the server's --host (0.0.0.0, * and :: are asked on loopback; a name is resolved)"
        case (.healthcheck, "port"): return "the server's port"
        case (.export, "data-dir"), (.check, "data-dir"): return "the data directory to read; it must exist"
        case (.import, "recover"), (.export, "recover"):
            return "open the data directory even past damaged journal records, skipping them (their changes are lost)"
        default: return option.summary
        }
    }

    private static func usage(_ subcommand: Subcommand) -> String {
        switch subcommand {
        case .serve: return "carewatch [serve] [OPTIONS]"
        case .import: return "carewatch import FILE [OPTIONS]"
        case .export: return "carewatch export [FILE] [OPTIONS]"
        case .restore: return "carewatch restore FILE [--replace] [OPTIONS]"
        case .check: return "carewatch check [DATA_DIR] [OPTIONS]"
        case .healthcheck: return "carewatch healthcheck [OPTIONS]"
        }
    }

    private static func purpose(_ subcommand: Subcommand) -> String {
        switch subcommand {
        case .serve:
            return """
                Serves the API over HTTP/1.1 until SIGTERM or SIGINT, then drains in-flight requests and
                writes a final snapshot of any changes. A missing or empty data directory starts with the
                embedded data (or --seed).
                """
        case .import:
            return """
                Adds the records of FILE (a JSON import document, one of carewatch's CSV files, or a
                publisher's file as published: DfE's csww_indicators file, a DfE tidy file whose columns
                GET /v1/measures maps, a DfE statistical neighbour model whose file name has its year, or
                a CSV export of an Ofsted outcomes sheet; - for standard input) to the data directory,
                replacing records with the same key, all or nothing. FILE's name is recorded as its
                records' source, and a publisher's file as a release. A new data directory starts with the
                embedded data first. To bring a backup back exactly, use restore instead.
                Stop the server first (the data directory is locked while it runs), or POST /v1/import.
                """
        case .export:
            return """
                Writes the whole store as one JSON document: a backup, and the shape that import, restore
                and POST /v1/import take. The data directory must exist. With FILE, the document is written
                to FILE.tmp and renamed when complete. Stop the server first, or use GET /v1/export.
                """
        case .restore:
            return """
                Makes the data directory hold exactly the records of FILE, an export document (from export or
                GET /v1/export; - for standard input): no embedded data first, councils keep their
                updated_at, and a later export writes the same document byte for byte. The directory must
                be missing or empty; one that holds data is replaced only with --replace. Nothing is written
                unless every record is valid. Stop the server first: the data directory is locked while it runs.
                """
        case .check:
            return """
                Opens DATA_DIR (default: the configured data directory), verifies every snapshot and journal
                record without changing anything or taking the lock, and reports counts. Exit 1 if it is
                damaged or missing.
                """
        case .healthcheck:
            return """
                Asks the server on this machine (GET /readyz on CAREWATCH_HOST/CAREWATCH_PORT, a wildcard
                host meaning loopback) whether it is ready: exit 0 on 200, 1 otherwise. For container health checks.
                """
        }
    }
}
