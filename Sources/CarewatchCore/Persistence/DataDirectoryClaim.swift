#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A data directory held by this process: made if it was missing, and locked with an exclusive
/// `flock` on `DIR/LOCK` for as long as the claim lasts, so two servers (or a server and
/// `carewatch import`) cannot interleave journal appends in one directory. The kernel drops the
/// lock when the process dies, so kill -9 leaves nothing stale behind.
///
/// Claiming is the first, cheap step of opening a store (`Store.claim`), separate from loading,
/// so that a server can refuse a directory in use before it binds a port. A claim on a
/// directory that held no data remembers what it made, so that a command that fails can leave
/// the disk as it found it (`Store.discard`).
public final class DataDirectoryClaim: @unchecked Sendable {
    public let path: String
    /// Whether the directory held no data when it was claimed: no snapshot and no journal, or
    /// (once loading has looked) nothing in them.
    var heldNoData: Bool
    let fileSystem: FileSystem
    /// The directories this claim made (the data directory and any missing parents), outermost first.
    private let madeDirectories: [String]
    private let madeLockFile: Bool
    private var descriptor: Int32

    init(path: String, create: Bool, fileSystem: FileSystem) throws(StoreError) {
        self.path = path
        self.fileSystem = fileSystem
        if !create && !fileSystem.exists(path) { throw StoreError.missing(directory: path) }
        madeDirectories = try fileSystem.makeDirectory(path)
        let lockPath = path + "/LOCK"
        let names: [String]
        do {
            names = try fileSystem.listDirectory(path)
        } catch {
            for directory in madeDirectories.reversed() { _ = rmdir(directory) }
            throw error
        }
        madeLockFile = !names.contains("LOCK")
        heldNoData = !names.contains { DataDirectory.isDataFile($0) }
        do {
            descriptor = try fileSystem.open(lockPath, create: true)
        } catch {
            for directory in madeDirectories.reversed() { _ = rmdir(directory) }
            throw error
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK { throw StoreError.locked(directory: path) }
            throw StoreError.io(operation: "flock", path: lockPath, errno: code)
        }
    }

    /// Unlocks. Idempotent.
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    /// Unlocks and, if the directory held no data when claimed, removes every data file in it
    /// (snapshots, journal segments, temporary files), the lock file if the claim made it, and
    /// the directories the claim made if that leaves them empty. Files of anyone else stay.
    /// Returns whether the directory is back as it was.
    @discardableResult
    public func releaseRemovingWhatItMade() -> Bool {
        release()
        guard heldNoData else { return false }
        for name in (try? fileSystem.listDirectory(path)) ?? [] where DataDirectory.isDataFile(name) || DataDirectory.isTemporaryFile(name) {
            fileSystem.remove(path + "/" + name)
        }
        if madeLockFile { fileSystem.remove(path + "/LOCK") }
        var restored = true
        for directory in madeDirectories.reversed() where rmdir(directory) != 0 { restored = false }
        return restored
    }

    deinit { release() }
}
