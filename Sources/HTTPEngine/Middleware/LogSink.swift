import Glibc
import Dispatch
import Synchronization

/// Buffered line output to a file descriptor: request threads only append under a short lock;
/// a background flush follows within ~20 ms (at once when 64 KiB are waiting), so logging costs
/// no system call on an event loop and a slow disk never stalls one. Only when the writer falls
/// 16 MiB behind does a request thread write inline, which bounds the memory a stuck disk costs.
public final class LogSink: Sendable {
    public static let standardOutput = LogSink(fd: 1)

    struct State {
        var buffer: [UInt8] = []
        /// A flush is queued (`urgent`: one queued to run at once).
        var scheduled = false
        var urgent = false
    }

    let fd: Int32
    let state = Mutex(State())
    /// Held while writing so two flushes never interleave partial writes of their lines.
    let writing = Mutex(())
    static let flushQueue = DispatchQueue(label: "httpengine.log-flush", qos: .utility)
    let flushDelay: DispatchTimeInterval = .milliseconds(20)
    let soonBytes = 64 * 1024
    let inlineBytes = 16 * 1024 * 1024

    public init(fd: Int32) { self.fd = fd }

    /// Appends one line (a newline is added).
    public func write(line bytes: [UInt8]) {
        enum Next { case nothing, later, soon, inline([UInt8]) }
        let next = state.withLock { s -> Next in
            s.buffer.append(contentsOf: bytes)
            s.buffer.append(0x0A)
            if s.buffer.count >= inlineBytes {
                let all = s.buffer
                s.buffer.removeAll(keepingCapacity: true)
                return .inline(all)
            }
            if s.buffer.count >= soonBytes && !s.urgent {
                s.urgent = true
                s.scheduled = true
                return .soon
            }
            if !s.scheduled {
                s.scheduled = true
                return .later
            }
            return .nothing
        }
        switch next {
        case .nothing: break
        case .later: LogSink.flushQueue.asyncAfter(deadline: .now() + flushDelay) { [self] in self.flush() }
        case .soon: LogSink.flushQueue.async { [self] in self.flush() }
        case .inline(let all): writeAll(all)
        }
    }

    public func write(line: String) { write(line: Array(line.utf8)) }

    /// Writes everything buffered now (also called at shutdown so no line is lost).
    public func flush() {
        let bytes: [UInt8] = state.withLock { s in
            s.scheduled = false
            s.urgent = false
            let b = s.buffer
            s.buffer.removeAll(keepingCapacity: b.count <= soonBytes)
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
