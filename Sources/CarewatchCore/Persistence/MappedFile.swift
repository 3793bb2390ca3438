#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A file mapped read-only, for reading a big snapshot front to back without a copy of it on
/// the heap. `release(before:)` hands the pages already read back to the kernel (they stay in
/// the page cache), so loading costs the records decoded plus a window of the file, not the
/// records plus the whole file. Immutable once mapped, so any thread may read it.
final class MappedFile: @unchecked Sendable {
    let path: String
    let bytes: UnsafeBufferPointer<UInt8>
    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    init(path: String) throws(StoreError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.io(operation: "open", path: path, errno: errno) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw StoreError.io(operation: "stat", path: path, errno: errno) }
        let size = Int(info.st_size)
        guard size > 0 else {
            bytes = UnsafeBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw StoreError.io(operation: "mmap", path: path, errno: errno)
        }
        _ = madvise(address, size, MADV_SEQUENTIAL)
        bytes = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size)
    }

    /// Drops the whole pages in `start..<end` from this process's memory. Reading them again
    /// still works (the kernel maps them back in from the page cache, or the disk), so
    /// threads reading different parts of the file may each release what they have passed.
    func release(_ start: Int, _ end: Int) {
        guard let base = bytes.baseAddress else { return }
        let from = start / MappedFile.pageSize * MappedFile.pageSize
        let to = min(end, bytes.count) / MappedFile.pageSize * MappedFile.pageSize
        guard to > from else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + from), to - from, MADV_DONTNEED)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
