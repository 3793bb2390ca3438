import CarewatchCore
import Foundation

/// The `carewatch` command: parses arguments and environment, runs the command, and returns
/// the exit status (0 success, 1 failure, 2 usage error), printing one clear line on failure.
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
            case .check(let configuration):
                return try OfflineCommands.check(configuration)
            case .healthcheck(let target):
                return HealthcheckClient.check(target)
            }
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("\(error.message)\n".utf8))
            return UsageError.exitStatus
        } catch {
            FileHandle.standardError.write(Data("carewatch: \(error)\n".utf8))
            return 1
        }
    }
}
