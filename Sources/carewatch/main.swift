import CarewatchAPI
import Foundation

exit(CarewatchCLI.main(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment))
