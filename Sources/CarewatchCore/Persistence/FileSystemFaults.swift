import Synchronization

/// Makes chosen file-system operations of a store fail, the way a full or dying disk does,
/// so tests can prove the store never acknowledges a write it did not persist. It lives in
/// production code (injected through `StoreOptions.faults`) so the exercised paths are the
/// real ones; with no faults armed it costs one lock per I/O call.
public final class FileSystemFaults: Sendable {
    public enum Operation: Sendable, Hashable {
        /// `write(2)` to the journal or a snapshot.
        case write
        /// `fsync`/`fdatasync`.
        case sync
        /// Creating or opening a file.
        case open
        /// `rename(2)` (snapshot publication).
        case rename
        /// `ftruncate(2)` (the journal's undo of a failed append).
        case truncate
    }

    private struct Armed: Sendable {
        var operation: Operation
        var errno: Int32
        var remaining: Int      // Int.max = until cleared
        var partial: Bool       // a write puts half its bytes on disk before failing
        var pathContains: String?
    }

    private let armed = Mutex<[Armed]>([])
    private let fired = Atomic<Int>(0)

    public init() {}

    /// The next `count` calls of `operation` fail with `errno` (e.g. ENOSPC, EIO, EROFS).
    /// `partial` makes a failing write first write half its bytes, as a full disk can.
    public func failNext(_ operation: Operation, errno: Int32, count: Int = 1, partial: Bool = false, pathContains: String? = nil) {
        armed.withLock { $0.append(Armed(operation: operation, errno: errno, remaining: count, partial: partial, pathContains: pathContains)) }
    }

    /// Every call of `operation` fails until `clear()`.
    public func failAlways(_ operation: Operation, errno: Int32, pathContains: String? = nil) {
        failNext(operation, errno: errno, count: Int.max, pathContains: pathContains)
    }

    public func clear() { armed.withLock { $0.removeAll() } }

    /// How many injected failures have happened.
    public var firedCount: Int { fired.load(ordering: .relaxed) }

    /// Consumes an armed fault matching the call: (errno, partial) or nil to go ahead.
    func check(_ operation: Operation, path: String) -> (errno: Int32, partial: Bool)? {
        let hit: (Int32, Bool)? = armed.withLock { list in
            guard let index = list.firstIndex(where: { $0.operation == operation && ($0.pathContains.map { path.contains($0) } ?? true) }) else {
                return nil
            }
            let fault = list[index]
            if fault.remaining != Int.max {
                list[index].remaining -= 1
                if list[index].remaining <= 0 { list.remove(at: index) }
            }
            return (fault.errno, fault.partial)
        }
        if hit != nil { fired.add(1, ordering: .relaxed) }
        return hit.map { (errno: $0.0, partial: $0.1) }
    }
}
