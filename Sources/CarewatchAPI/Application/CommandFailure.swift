import CarewatchCore

/// A command that ran and failed. The CLI prints `message` after the command's name
/// ("carewatch export: …") and exits with status 1.
struct CommandFailure: Error, Sendable {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    /// Any error a command can end with, in the command line's words: what went wrong, then
    /// which flag or command helps, as the store and the engine cannot know them.
    static func describe(_ error: any Error, of command: Command) -> String {
        let directory = command.configuration?.dataDirectory ?? ""
        switch error {
        case let failure as CommandFailure:
            return failure.message
        case let error as StoreError:
            switch error {
            case .locked:
                switch command {
                case .importFile: return "\(error); stop the server first, or send the file to it: POST /v1/import"
                case .export: return "\(error); stop the server first, or ask it: GET /v1/export"
                case .restore: return "\(error); stop the server first"
                default: return "\(error); stop it, or name another directory with --data-dir"
                }
            case .holdsData:
                return "\(error); restore replaces it only when given --replace, or restore into a new directory"
            case _ where error.recoverySkipsIt:
                return "\(error). See the damage with `carewatch check \(directory)`; start with --recover true "
                    + "(CAREWATCH_RECOVER=true) to skip damaged records (their changes are lost)"
            default:
                return "\(error)"
            }
        case let error as ValidationError:
            return "nothing was written: " + error.errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case let error as UsageError:
            return error.message
        default:
            return "\(error)"
        }
    }

    /// A refused import or restore: the count, then one line per problem, naming the line (CSV)
    /// or the JSON path, then the field.
    init(_ verb: String, file: String, _ error: ImportError) {
        let count = error.issues.count + error.omitted
        var lines = ["nothing was \(verb): \(file == "-" ? "standard input" : file) has \(count) problem\(count == 1 ? "" : "s"):"]
        for issue in error.issues.prefix(50) {
            var place: [String] = []
            if let row = issue.row { place.append("line \(row)") }
            if !issue.field.isEmpty { place.append(issue.field) }
            lines.append("  " + (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + issue.message)
        }
        if count > 50 { lines.append("  … and \(count - 50) more") }
        self.init(lines.joined(separator: "\n"))
    }
}
