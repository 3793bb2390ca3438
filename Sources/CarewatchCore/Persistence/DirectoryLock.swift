#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// An exclusive `flock` on `DIR/LOCK`, held for the store's lifetime, so two servers (or a
/// server and `carewatch import`) cannot interleave journal appends in one directory. The
/// kernel drops the lock when the process dies, so kill -9 leaves nothing stale behind.
final class DirectoryLock: @unchecked Sendable {
    private var descriptor: Int32
    let path: String

    init(directory: String, fileSystem: FileSystem) throws(StoreError) {
        path = directory + "/LOCK"
        descriptor = try fileSystem.open(path, create: true)
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw StoreError.locked(directory: directory) }
            throw StoreError.io(operation: "flock", path: path, errno: code)
        }
    }

    func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
