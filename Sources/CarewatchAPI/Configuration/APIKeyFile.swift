import Foundation

/// Keys kept in a file (a mounted secret) rather than in the environment, where they would
/// show in `docker inspect` and in `/proc/PID/environ`.
extension CarewatchConfiguration {
    /// `apiKeys` plus the keys in `apiKeyFile`, duplicates removed, order kept. Called once at
    /// start-up; a file that cannot be read or holds a malformed key is a usage error, because
    /// serving with fewer keys than the operator meant would silently refuse their writes.
    public func resolvedAPIKeys() throws(UsageError) -> [String] {
        var keys = apiKeys
        if let path = apiKeyFile {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw UsageError("carewatch: cannot read the API key file '\(path)'")
            }
            keys += try Self.parseAPIKeyFile(text, path: path)
        }
        var seen = Set<String>()
        return keys.filter { seen.insert($0).inserted }
    }

    /// One key per line; blank lines and lines starting with `#` are skipped.
    static func parseAPIKeyFile(_ text: String, path: String) throws(UsageError) -> [String] {
        var keys: [String] = []
        // `isNewline` also splits on "\r\n", which Swift keeps as one Character (files written on Windows).
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let key = ConfigurationValues.trimmed(line)
            if key.isEmpty || key.hasPrefix("#") { continue }
            guard ConfigurationValues.isValidAPIKey(key) else {
                throw UsageError("carewatch: line \(number + 1) of the API key file '\(path)' is not an API key (visible ASCII characters without spaces or commas)")
            }
            keys.append(key)
        }
        return keys
    }
}
