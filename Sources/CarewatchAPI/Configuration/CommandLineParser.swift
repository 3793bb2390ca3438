/// Turns `carewatch`'s arguments and environment into a `Command`. A pure function, so
/// every rule (flags win over variables, `--port 1` = `--port=1`, unknown flags are errors)
/// is tested without starting a process.
public enum CommandLineParser {
    /// `arguments` excludes the program name (`CommandLine.arguments.dropFirst()`).
    public static func parse(arguments: [String], environment: [String: String]) throws(UsageError) -> Command {
        var arguments = arguments[...]
        switch arguments.first {
        case "--version", "-V", "version":
            return .version("carewatch \(CarewatchVersion.number)")
        case "--help", "-h", "help":
            arguments.removeFirst()
            guard let name = arguments.first else { return .help(HelpText.overview) }
            guard let subcommand = Subcommand(rawValue: name) else { throw unknownCommand(name) }
            return .help(HelpText.text(for: subcommand))
        default:
            break
        }
        let subcommand: Subcommand
        if let first = arguments.first, !first.hasPrefix("-") {
            guard let named = Subcommand(rawValue: first) else { throw unknownCommand(first) }
            subcommand = named
            arguments.removeFirst()
        } else {
            subcommand = .serve
        }
        return try parse(subcommand, Array(arguments), environment)
    }

    private static func parse(_ subcommand: Subcommand, _ arguments: [String], _ environment: [String: String]) throws(UsageError) -> Command {
        let context = "carewatch \(subcommand.rawValue)"
        let options = ConfigurationOption.options(for: subcommand)
        var configuration = CarewatchConfiguration()
        var healthcheckTimeout = 5.0

        // Variables first, so that flags given afterwards replace them.
        for option in options {
            guard let text = environment[option.environmentVariable], !text.isEmpty else { continue }
            do {
                try option.apply(&configuration, text)
            } catch {
                throw UsageError("\(context): \(option.environmentVariable)='\(text)' is \(error.reason)")
            }
        }
        if subcommand == .healthcheck, let text = environment[healthcheckTimeoutVariable], !text.isEmpty {
            do {
                healthcheckTimeout = try ConfigurationValues.duration(text, .anyAboveZero)
            } catch {
                throw UsageError("\(context): \(healthcheckTimeoutVariable)='\(text)' is \(error.reason)")
            }
        }

        var positional: [String] = []
        var switchedOn: Set<String> = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                positional.append(contentsOf: arguments[index...])
                break
            }
            if argument == "--help" || argument == "-h" { return .help(HelpText.text(for: subcommand)) }
            if argument == "--version" || argument == "-V" { return .version("carewatch \(CarewatchVersion.number)") }
            guard argument.hasPrefix("-"), argument != "-" else {
                positional.append(argument)
                continue
            }
            guard argument.hasPrefix("--") else {
                throw UsageError("\(context): unknown option '\(argument)' (see carewatch \(subcommand.rawValue) --help)")
            }
            let body = argument.dropFirst(2)
            let switchName = String(body.prefix { $0 != "=" })
            if CommandSwitch.switches(for: subcommand).contains(where: { $0.flag == switchName }) {
                var on = true
                if let equals = body.firstIndex(of: "=") {
                    let text = String(body[body.index(after: equals)...])
                    do {
                        on = try ConfigurationValues.boolean(text)
                    } catch {
                        throw UsageError("\(context): --\(switchName) '\(text)' is \(error.reason)")
                    }
                }
                if on { switchedOn.insert(switchName) } else { switchedOn.remove(switchName) }
                continue
            }
            let name: String
            let value: String
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                value = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
                guard index < arguments.count else {
                    if isKnown(name, in: options, subcommand) {
                        throw UsageError("\(context): option '--\(name)' needs a value")
                    }
                    throw UsageError("\(context): unknown option '\(argument)' (see carewatch \(subcommand.rawValue) --help)")
                }
                value = arguments[index]
                if isKnown(name, in: options, subcommand) { index += 1 }
            }
            if subcommand == .healthcheck, name == "timeout" {
                do {
                    healthcheckTimeout = try ConfigurationValues.duration(value, .anyAboveZero)
                } catch {
                    throw UsageError("\(context): --timeout '\(value)' is \(error.reason)")
                }
                continue
            }
            guard let option = options.first(where: { $0.flag == name }) else {
                throw UsageError("\(context): unknown option '--\(name)' (see carewatch \(subcommand.rawValue) --help)")
            }
            do {
                try option.apply(&configuration, value)
            } catch {
                throw UsageError("\(context): --\(name) '\(value)' is \(error.reason)")
            }
        }

        switch subcommand {
        case .serve:
            try expectNoArguments(positional, context)
            return .serve(configuration)
        case .import:
            guard let path = positional.first else {
                throw UsageError("\(context): missing FILE (a JSON import document or a CSV file, or - for standard input)")
            }
            try expectNoArguments(Array(positional.dropFirst()), context)
            return .importFile(path: path, configuration: configuration)
        case .export:
            try expectNoArguments(Array(positional.dropFirst()), context)
            let path = positional.first.flatMap { $0 == "-" ? nil : $0 }
            return .export(path: path, configuration: configuration)
        case .restore:
            guard let path = positional.first else {
                throw UsageError("\(context): missing FILE (a carewatch export document, or - for standard input)")
            }
            try expectNoArguments(Array(positional.dropFirst()), context)
            return .restore(path: path, replace: switchedOn.contains("replace"), configuration: configuration)
        case .check:
            if let directory = positional.first { configuration.dataDirectory = directory }
            try expectNoArguments(Array(positional.dropFirst()), context)
            return .check(configuration)
        case .healthcheck:
            try expectNoArguments(positional, context)
            return .healthcheck(HealthcheckTarget(
                host: HealthcheckTarget.connectHost(forListenHost: configuration.host),
                port: configuration.port, timeout: healthcheckTimeout))
        }
    }

    static let healthcheckTimeoutVariable = "CAREWATCH_HEALTHCHECK_TIMEOUT"

    private static func isKnown(_ name: String, in options: [ConfigurationOption], _ subcommand: Subcommand) -> Bool {
        options.contains { $0.flag == name } || (subcommand == .healthcheck && name == "timeout")
    }

    private static func expectNoArguments(_ extra: [String], _ context: String) throws(UsageError) {
        if let first = extra.first { throw UsageError("\(context): unexpected argument '\(first)'") }
    }

    private static func unknownCommand(_ name: String) -> UsageError {
        let names = Subcommand.allCases.map(\.rawValue).joined(separator: ", ")
        return UsageError("carewatch: unknown command '\(name)' (commands: \(names); see carewatch --help)")
    }
}
