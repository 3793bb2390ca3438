#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Why the store could not open, read or persist. Messages name the file (and offset) so an
/// operator knows what to look at. They say what is wrong, not which flag or command to use:
/// that is for the command line or the API to add, in their own words (see `recoverySkipsIt`).
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process (or another `Store` in this one) holds the data directory.
    case locked(directory: String)
    /// The data directory does not exist, and the store was asked not to create it.
    case missing(directory: String)
    /// The data directory holds no data yet (neither snapshot nor journal), and the store was
    /// asked not to start a new one.
    case empty(directory: String)
    /// The data directory's path names something that is not a directory.
    case notADirectory(String)
    /// A restore was asked to start from nothing, and the directory already holds data.
    case holdsData(directory: String)
    /// The directory holds files that are not a data directory's, so carewatch will not write there.
    case foreignFiles(directory: String, names: [String])
    /// A system call failed; nothing of the write it belonged to was applied.
    case io(operation: String, path: String, errno: Int32)
    /// A journal record that is not the last one is damaged.
    case corruptJournal(file: String, offset: Int, reason: String)
    /// The journal has a gap in its sequence, or a record that cannot be applied to the state
    /// before it.
    case damagedJournal(String)
    /// No usable snapshot, or the journal does not connect to it.
    case unrecoverable(String)
    /// The store was closed, or stopped accepting writes after a failure it could not undo.
    case closed(String)

    public var description: String {
        switch self {
        case .locked(let directory):
            return "data directory \(directory) is in use by another carewatch process (lock file \(directory)/LOCK is held)"
        case .missing(let directory):
            return "data directory \(directory) does not exist"
        case .empty(let directory):
            return "data directory \(directory) holds no data yet"
        case .notADirectory(let path):
            return "data directory \(path) exists and is not a directory"
        case .holdsData(let directory):
            return "data directory \(directory) already holds data"
        case .foreignFiles(let directory, let names):
            let listed = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", …" : "")
            return "\(directory) holds files that are not carewatch's (\(listed)), so it is not a data directory to restore into"
        case .io(let operation, let path, let code):
            return "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
        case .corruptJournal(let file, let offset, let reason):
            return "journal \(file) is damaged at byte offset \(offset): \(reason). The records after it cannot be trusted to follow on"
        case .damagedJournal(let message), .unrecoverable(let message):
            return message
        case .closed(let why):
            return "store is not accepting writes: \(why)"
        }
    }

    /// Whether opening with `StoreOptions.recover` gets past it, skipping the damaged records
    /// (whose changes are lost).
    public var recoverySkipsIt: Bool {
        switch self {
        case .corruptJournal, .damagedJournal: return true
        default: return false
        }
    }
}
