#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Thin wrappers over the system calls persistence needs, with EINTR retries, 0600/0700
/// permissions, and the fault-injection hook consulted before every call that can fail on a
/// bad disk.
struct FileSystem: Sendable {
    let faults: FileSystemFaults?

    private func fault(_ operation: FileSystemFaults.Operation, _ path: String) -> (errno: Int32, partial: Bool)? {
        faults?.check(operation, path: path)
    }

    /// Makes `path` and any missing parents (mkdir -p), each 0700. Returns the directories it
    /// made, deepest last, so that a caller that fails can take them away again.
    @discardableResult
    func makeDirectory(_ path: String) throws(StoreError) -> [String] {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw StoreError.notADirectory(path) }
            return []
        }
        var made: [String] = []
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o700) == 0 {
                made.append(partial)
            } else if errno != EEXIST {
                let code = errno
                for directory in made.reversed() { _ = rmdir(directory) }
                throw StoreError.io(operation: "mkdir", path: partial, errno: code)
            }
        }
        return made
    }

    func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Opens (creating 0600 when asked) for reading and writing.
    func open(_ path: String, create: Bool, truncate: Bool = false, readOnly: Bool = false) throws(StoreError) -> Int32 {
        if let fault = fault(.open, path) { throw StoreError.io(operation: "open", path: path, errno: fault.errno) }
        var flags = (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC
        if create { flags |= O_CREAT }
        if truncate { flags |= O_TRUNC }
        while true {
            let descriptor = Glibc.open(path, flags, 0o600)
            if descriptor >= 0 {
                if create && !readOnly { _ = fchmod(descriptor, 0o600) }
                return descriptor
            }
            if errno != EINTR { throw StoreError.io(operation: "open", path: path, errno: errno) }
        }
    }

    /// Writes every byte at the current offset, or throws.
    func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StoreError) {
        var remaining = bytes
        if let fault = fault(.write, path) {
            if fault.partial, bytes.count > 1 {
                _ = Glibc.write(descriptor, bytes.baseAddress, bytes.count / 2)
            }
            throw StoreError.io(operation: "write", path: path, errno: fault.errno)
        }
        while !remaining.isEmpty {
            let written = Glibc.write(descriptor, remaining.baseAddress, remaining.count)
            if written < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(operation: "write", path: path, errno: errno)
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
        }
    }

    func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(StoreError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(StoreError) in try writeAll(descriptor, buffer, path: path) }
        }
        try result.get()
    }

    /// fdatasync: the data and the size, which is all an append needs.
    func syncData(_ descriptor: Int32, path: String) throws(StoreError) {
        if let fault = fault(.sync, path) { throw StoreError.io(operation: "fdatasync", path: path, errno: fault.errno) }
        while fdatasync(descriptor) != 0 {
            if errno != EINTR { throw StoreError.io(operation: "fdatasync", path: path, errno: errno) }
        }
    }

    func sync(_ descriptor: Int32, path: String) throws(StoreError) {
        if let fault = fault(.sync, path) { throw StoreError.io(operation: "fsync", path: path, errno: fault.errno) }
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw StoreError.io(operation: "fsync", path: path, errno: errno) }
        }
    }

    /// Makes a directory entry change (create, rename, unlink) durable.
    func syncDirectory(_ path: String) throws(StoreError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io(operation: "open directory", path: path, errno: errno) }
        defer { close(descriptor) }
        try sync(descriptor, path: path)
    }

    func truncate(_ descriptor: Int32, to length: Int, path: String) throws(StoreError) {
        if let fault = fault(.truncate, path) { throw StoreError.io(operation: "ftruncate", path: path, errno: fault.errno) }
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR { throw StoreError.io(operation: "ftruncate", path: path, errno: errno) }
        }
    }

    func rename(_ from: String, _ to: String) throws(StoreError) {
        if let fault = fault(.rename, to) { throw StoreError.io(operation: "rename", path: to, errno: fault.errno) }
        if Glibc.rename(from, to) != 0 { throw StoreError.io(operation: "rename", path: to, errno: errno) }
    }

    func remove(_ path: String) { _ = unlink(path) }

    func readFile(_ path: String) throws(StoreError) -> [UInt8] {
        try readPrefix(path, count: .max)
    }

    /// The first `count` bytes of the file (fewer if it is shorter).
    func readPrefix(_ path: String, count limit: Int) throws(StoreError) -> [UInt8] {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw StoreError.io(operation: "stat", path: path, errno: errno) }
        var bytes = [UInt8](repeating: 0, count: min(Int(info.st_size), limit))
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.io(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            offset += count
        }
        if offset < bytes.count { bytes.removeSubrange(offset...) }
        return bytes
    }

    func fileSize(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    func listDirectory(_ path: String) throws(StoreError) -> [String] {
        guard let directory = opendir(path) else { throw StoreError.io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

/// Writes a diagnostic line to standard error (start-up decisions such as a cut journal tail).
func logToStandardError(_ message: String) {
    var line = Array(("carewatch store: " + message + "\n").utf8)
    line.withUnsafeMutableBytes { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}
