import Glibc
import Dispatch
import Synchronization

/// Buffered line output to a file descriptor: request threads append under a short lock and a
/// background flush follows within ~20 ms, so logging costs no syscall per request yet lines
/// still appear promptly. Large bursts flush inline to bound memory.
public final class LogSink: Sendable {
    public static let standardOutput = LogSink(fd: 1)

    let fd: Int32
    let state = Mutex<(buffer: [UInt8], scheduled: Bool)>(([], false))
    /// Held while writing so two flushes never interleave partial writes of their lines.
    let writing = Mutex(())
    static let flushQueue = DispatchQueue(label: "httpengine.log-flush", qos: .utility)
    let flushDelay: DispatchTimeInterval = .milliseconds(20)
    let inlineFlushBytes = 64 * 1024

    public init(fd: Int32) { self.fd = fd }

    /// Appends one line (a newline is added).
    public func write(line bytes: [UInt8]) {
        var toWrite: [UInt8]? = nil
        var schedule = false
        state.withLock { s in
            s.buffer.append(contentsOf: bytes)
            s.buffer.append(0x0A)
            if s.buffer.count >= inlineFlushBytes {
                toWrite = s.buffer
                s.buffer.removeAll(keepingCapacity: true)
            } else if !s.scheduled {
                s.scheduled = true
                schedule = true
            }
        }
        if let toWrite { writeAll(toWrite) }
        if schedule {
            LogSink.flushQueue.asyncAfter(deadline: .now() + flushDelay) { [self] in self.flush() }
        }
    }

    public func write(line: String) { write(line: Array(line.utf8)) }

    /// Writes everything buffered now (called at shutdown so no line is lost).
    public func flush() {
        let bytes: [UInt8] = state.withLock { s in
            s.scheduled = false
            let b = s.buffer
            s.buffer.removeAll(keepingCapacity: b.count <= 16 * 1024)
            return b
        }
        if !bytes.isEmpty { writeAll(bytes) }
    }

    private func writeAll(_ bytes: [UInt8]) {
        writing.withLock { _ in writeUnlocked(bytes) }
    }

    private func writeUnlocked(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n > 0 { off += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }
}
