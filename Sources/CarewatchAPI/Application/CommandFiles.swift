import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files the offline commands read and write, with the system's reason in every failure
/// ("cannot read backup.json: No such file or directory").
enum CommandFiles {
    /// The whole of `path`, or standard input for "-". `what` names the file in a failure
    /// ("cannot read the --seed file x.json: …").
    static func read(_ path: String, what: String? = nil) throws(CommandFailure) -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        let failure = { () -> CommandFailure in CommandFiles.failure(what.map { "cannot read \($0)" } ?? "cannot read", path) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure() }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure()
            }
            if count == 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }

    /// A file written whole or not at all: the bytes go to `PATH.tmp`, which replaces `PATH`
    /// only once complete and flushed, so a failed export never leaves a truncated backup
    /// under the name a restore would use.
    final class Output {
        let path: String
        private let temporaryPath: String
        private var descriptor: Int32

        init(_ path: String) throws(CommandFailure) {
            self.path = path
            temporaryPath = path + ".tmp"
            descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw CommandFiles.failure("cannot write", path) }
        }

        func write(_ bytes: [UInt8]) throws(CommandFailure) {
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CommandFiles.failure("cannot write", temporaryPath)
                }
                offset += written
            }
        }

        func commit() throws(CommandFailure) {
            guard fsync(descriptor) == 0 else { throw CommandFiles.failure("cannot write", temporaryPath) }
            close(descriptor)
            descriptor = -1
            guard rename(temporaryPath, path) == 0 else { throw CommandFiles.failure("cannot rename \(temporaryPath) to", path) }
        }

        /// Removes the partial file (after a failure).
        func abandon() {
            guard descriptor >= 0 else { return }
            close(descriptor)
            descriptor = -1
            unlink(temporaryPath)
        }

        deinit { abandon() }
    }

    static func failure(_ what: String, _ path: String) -> CommandFailure {
        CommandFailure("\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
