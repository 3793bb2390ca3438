#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Appends batches of records to the active journal segment. Used only by the committer
/// thread. An append is durable when it returns (pwrite + fdatasync); when it throws, the
/// segment has been cut back to its previous length so no unacknowledged record can be
/// replayed later. If even that cut fails, the writer is `broken` and refuses further appends.
final class JournalWriter: @unchecked Sendable {
    let directory: DataDirectory
    private var fileSystem: FileSystem { directory.fileSystem }
    private(set) var path: String
    private(set) var firstSequence: UInt64
    private(set) var size: Int
    private var descriptor: Int32
    private(set) var broken: StoreError?

    /// Continues the segment at `path`, whose valid content is `size` bytes.
    init(directory: DataDirectory, path: String, firstSequence: UInt64, size: Int) throws(StoreError) {
        self.directory = directory
        self.path = path
        self.firstSequence = firstSequence
        self.size = size
        descriptor = try directory.fileSystem.open(path, create: true)
    }

    /// Starts a new segment whose first record will be `firstSequence`.
    convenience init(directory: DataDirectory, firstSequence: UInt64) throws(StoreError) {
        let path = directory.segmentPath(firstSequence)
        try self.init(directory: directory, path: path, firstSequence: firstSequence, size: 0)
        try directory.fileSystem.truncate(descriptor, to: 0, path: path)
        try directory.fileSystem.syncDirectory(directory.path)
    }

    func append(_ bytes: [UInt8]) throws(StoreError) {
        if let broken { throw StoreError.closed("the journal could not be restored after an earlier failure (\(broken))") }
        do {
            let result = bytes.withUnsafeBytes { buffer in
                Result { () throws(StoreError) in try pwriteAll(buffer) }
            }
            try result.get()
            try fileSystem.syncData(descriptor, path: path)
            size += bytes.count
        } catch {
            undo()
            throw error
        }
    }

    private func pwriteAll(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        if let fault = directory.fileSystem.faults?.check(.write, path: path) {
            if fault.partial && bytes.count > 1 { _ = pwrite(descriptor, bytes.baseAddress, bytes.count / 2, off_t(size)) }
            throw StoreError.io(operation: "write", path: path, errno: fault.errno)
        }
        var offset = 0
        while offset < bytes.count {
            let written = pwrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset, off_t(size + offset))
            if written < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
    }

    /// Cuts the segment back to the last acknowledged byte, and makes that durable.
    private func undo() {
        do {
            try fileSystem.truncate(descriptor, to: size, path: path)
            try fileSystem.syncData(descriptor, path: path)
        } catch {
            broken = error
            logToStandardError("could not cut \(path) back to \(size) bytes after a failed append: \(error); refusing further writes")
        }
    }

    /// Closes this segment and continues in a new one starting at `nextSequence`.
    func rotate(nextSequence: UInt64) throws(StoreError) {
        guard nextSequence != firstSequence || size > 0 else { return }
        let newPath = directory.segmentPath(nextSequence)
        let newDescriptor = try fileSystem.open(newPath, create: true, truncate: true)
        do {
            try fileSystem.syncDirectory(directory.path)
        } catch {
            _ = Glibc.close(newDescriptor)
            fileSystem.remove(newPath)
            throw error
        }
        _ = Glibc.close(descriptor)
        descriptor = newDescriptor
        path = newPath
        firstSequence = nextSequence
        size = 0
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    deinit { close() }
}
