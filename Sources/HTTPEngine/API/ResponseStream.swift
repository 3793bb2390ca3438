import Synchronization

/// A response body the handler pushes, for answers that last as long as the client listens
/// (Server-Sent Events). Chunks written from any thread go out as they come, chunked on
/// HTTP/1.1. The engine holds at most `bufferLimit` bytes the client has not yet taken; a
/// client too slow for that is cut off rather than buffered without bound.
///
/// The engine tells the producer when the stream ends for a reason of its own, by calling
/// `onEnd` once, on an event-loop thread (it must not block):
/// - `.clientTooSlow` and `.serverShutdown`: the bytes `onEnd` returns are sent as the last
///   chunk (beyond the limit, so an event stream can say where to resume), the body is
///   terminated properly and the connection closed.
/// - `.connectionClosed`: nothing more can be sent (the client left, a write failed or
///   stalled, or the request was HEAD); what `onEnd` returns is ignored.
/// A stream the producer ends with `finish()` gets no call.
///
/// A producer with a backlog (an event stream resumed from far back, or a burst of events)
/// paces it to the client instead of writing ahead: it writes what `room` allows, then asks
/// `whenDrained` to be called back once the client has taken it.
///
/// The response deadline stops applying once the head is sent; the write deadlines (nothing
/// taken for `writeTimeout`, or slower than the minimum data rate while bytes wait) do apply.
public final class ResponseStream: Sendable {
    public enum EndReason: Sendable, Equatable {
        case clientTooSlow
        case serverShutdown
        case connectionClosed
    }

    /// Bytes written but not yet taken by the client, at most.
    public let bufferLimit: Int
    let onEnd: @Sendable (EndReason) -> [UInt8]?
    private let state = Mutex(State())

    enum Status: Equatable { case open, finished, overflowed, ended }

    struct State {
        /// Written by the producer, not yet moved to the connection.
        var pending: [UInt8] = []
        /// Moved to the connection but not yet sent to the socket (the engine keeps this current).
        var unsent = 0
        /// Set once the engine delivers the stream; wakes its connection.
        var wake: (@Sendable () -> Void)? = nil
        var wakeScheduled = false
        var status = Status.open
        /// Called once everything written has gone to the socket (`whenDrained`).
        var drained: (@Sendable () -> Void)? = nil
    }

    public init(bufferLimit: Int = 64 * 1024, onEnd: @escaping @Sendable (EndReason) -> [UInt8]? = { _ in nil }) {
        precondition(bufferLimit > 0, "a stream needs room for at least one byte")
        self.bufferLimit = bufferLimit
        self.onEnd = onEnd
    }

    /// Queues a chunk. Returns false once the stream takes no more: the client was too slow
    /// (this chunk would have passed `bufferLimit`), the stream finished, or it ended.
    @discardableResult
    public func write(_ chunk: [UInt8]) -> Bool {
        let (accepted, wake) = state.withLock { s -> (Bool, (@Sendable () -> Void)?) in
            guard s.status == .open else { return (false, nil) }
            if s.pending.count + s.unsent + chunk.count > bufferLimit {
                s.status = .overflowed
            } else {
                s.pending.append(contentsOf: chunk)
            }
            return (s.status == .open, ResponseStream.claimWake(&s))
        }
        wake?()
        return accepted
    }

    /// Ends the body normally; the connection can go on to the client's next request.
    public func finish() {
        let wake = state.withLock { s -> (@Sendable () -> Void)? in
            guard s.status == .open else { return nil }
            s.status = .finished
            return ResponseStream.claimWake(&s)
        }
        wake?()
    }

    /// False once the stream takes no more chunks.
    public var isOpen: Bool { state.withLock { $0.status == .open } }

    /// Bytes that can be written now without passing `bufferLimit` (0 once the stream is not open).
    public var room: Int {
        state.withLock { $0.status == .open ? max(0, bufferLimit - $0.pending.count - $0.unsent) : 0 }
    }

    /// Calls `action` once, as soon as the client has taken every byte written so far: on an
    /// event-loop thread, or at once on the caller's if it already has. Never called once the
    /// stream has ended (`onEnd` says so instead). A later call replaces an earlier one that
    /// has not run. `action` must not block.
    public func whenDrained(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> Bool in
            guard s.status == .open else { return false }
            if s.pending.isEmpty && s.unsent == 0 {
                s.drained = nil
                return true
            }
            s.drained = action
            return false
        }
        if now { action() }
    }

    /// One wake-up at a time: the connection takes everything pending when it runs.
    private static func claimWake(_ s: inout State) -> (@Sendable () -> Void)? {
        guard let wake = s.wake, !s.wakeScheduled else { return nil }
        s.wakeScheduled = true
        return wake
    }

    // MARK: the engine's side (event-loop thread)

    /// Delivery starts: `wake` runs (on the producer's thread) whenever there is something to take.
    func attach(wake: @escaping @Sendable () -> Void) {
        let now = state.withLock { s -> (@Sendable () -> Void)? in
            guard s.status != .ended else { return nil }
            s.wake = wake
            guard !s.pending.isEmpty || s.status != .open else { return nil }
            return ResponseStream.claimWake(&s)
        }
        now?()
    }

    struct Taken {
        var bytes: [UInt8]
        var status: Status
    }

    /// Moves what the producer wrote to the connection.
    func take() -> Taken {
        state.withLock { s in
            let bytes = s.pending
            s.pending = []
            s.unsent += bytes.count
            s.wakeScheduled = false
            return Taken(bytes: bytes, status: s.status)
        }
    }

    /// How many of the stream's bytes the connection still holds unsent; once none are (and
    /// nothing waits to be taken), the producer's `whenDrained` call runs.
    func noteUnsent(_ bytes: Int) {
        let drained = state.withLock { s -> (@Sendable () -> Void)? in
            s.unsent = bytes
            guard bytes == 0, s.pending.isEmpty, s.status == .open, let drained = s.drained else { return nil }
            s.drained = nil
            return drained
        }
        drained?()
    }

    /// Ends the stream for the engine's reason and returns the producer's final chunk.
    /// Only the first call reaches the producer.
    func end(_ reason: EndReason) -> [UInt8]? {
        let first = state.withLock { s -> Bool in
            guard s.status != .ended else { return false }
            let finished = s.status == .finished
            s.status = .ended
            s.wake = nil
            s.drained = nil
            s.pending = []
            return !finished
        }
        return first ? onEnd(reason) : nil
    }
}
