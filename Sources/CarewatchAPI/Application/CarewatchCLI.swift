import CarewatchCore
import Foundation

/// The `carewatch` command: parses arguments and environment, runs the command, and returns
/// the exit status (0 success, 1 failure, 2 usage error). A failure is printed once, after the
/// command's name: "carewatch export: data directory x does not exist".
public enum CarewatchCLI {
    public static func main(arguments: [String], environment: [String: String]) -> Int32 {
        let command: Command
        do {
            command = try CommandLineParser.parse(arguments: arguments, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("\(error.message)\n".utf8))
            return UsageError.exitStatus
        }
        do {
            switch command {
            case .help(let text), .version(let text):
                FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
                return 0
            case .serve(let configuration):
                Log.setLevel(configuration.logLevel)
                return try CarewatchService.serve(configuration)
            case .importFile(let path, let configuration):
                return try OfflineCommands.importFile(path, configuration)
            case .export(let path, let configuration):
                return try OfflineCommands.export(to: path, configuration)
            case .restore(let path, let replace, let configuration):
                return try OfflineCommands.restore(path, replace: replace, configuration)
            case .check(let configuration):
                return try OfflineCommands.check(configuration)
            case .healthcheck(let target):
                return HealthcheckClient.check(target)
            }
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("\(error.message)\n".utf8))
            return UsageError.exitStatus
        } catch {
            let message = CommandFailure.describe(error, of: command)
            FileHandle.standardError.write(Data("\(command.name): \(message)\n".utf8))
            return 1
        }
    }
}

extension Command {
    /// How messages name the command: "carewatch" for the server, "carewatch import" etc.
    var name: String {
        switch self {
        case .serve, .help, .version: return "carewatch"
        case .importFile: return "carewatch import"
        case .export: return "carewatch export"
        case .restore: return "carewatch restore"
        case .check: return "carewatch check"
        case .healthcheck: return "carewatch healthcheck"
        }
    }

    var configuration: CarewatchConfiguration? {
        switch self {
        case .serve(let configuration), .check(let configuration): return configuration
        case .importFile(_, let configuration), .export(_, let configuration), .restore(_, _, let configuration): return configuration
        case .healthcheck, .help, .version: return nil
        }
    }
}
