/// The life of one HTTP/1.1 connection as a state machine with no I/O: inputs go in (bytes
/// received, a response ready, the socket writable or closed, the clock ticking) and the
/// machine says what to do next, one `Action` at a time. `Connection` is the I/O shell that
/// performs the actions on a socket; tests drive the machine directly with a clock they move
/// by hand, so pipelining, draining, lingering and every deadline are tested without sockets
/// and without sleeping. Modelled on Hummingbird 2's `HTTPConnectionStateHandler.StateMachine`.
///
/// Requests are handled one at a time: bytes of pipelined requests that arrive early wait in
/// `inbox` and reading pauses, which is also the backpressure for clients that send faster
/// than they read.
///
/// Phases:
/// - `reading`: waiting for a request or reading one (the parser knows how far it got).
/// - `awaitingResponse`: a request (or the engine's own error) is with the handler.
/// - `streaming`: the head is queued and a body is being pulled or pushed.
/// - `closingAfterWrite`: the last answer is being sent; then half-close and linger.
/// - `lingering`: write side shut; input read and dropped until the client closes or time is up.
/// - `closed`: the shell has been told to close the socket.
struct ConnectionStateMachine<Clock: EngineClock> {
    enum Phase: Equatable { case reading, awaitingResponse, streaming, closingAfterWrite, lingering, closed }

    enum Action {
        /// Run the handler on `takeRequest()`; its answer comes back through
        /// `responseReady(_:sequence:)`. (The request is taken, not carried in the action, so
        /// that the handler receives the only reference and changes it without a copy.)
        case dispatch(sequence: UInt64)
        /// Send `output` to the socket and report with `flushed(_:)`.
        case flush
        /// Ask the pull source for its next chunk and report with `pulled(_:)`.
        case pull(ChunkSource)
        /// Start delivering a pushed body: wire the stream to wake this connection (`streamWoke()`).
        case attach(ResponseStream)
        /// Move what the producer wrote into the output and report with `streamed(_:)`.
        case take(ResponseStream)
        /// End the stream for this reason (`ResponseStream.end`) and report with `streamEnded(final:)`.
        case endStream(ResponseStream, ResponseStream.EndReason)
        /// Shut the socket's write side; the machine now lingers, reading and dropping input.
        case shutdownWrite
        /// Close the socket. The last action of every connection.
        case close
        /// Nothing to do until the next input.
        case wait
    }

    /// Which deadline the connection is under.
    enum Expiry: Equatable { case idle, head, body, response, slowReader, linger }

    let context: ServerContext
    let resources: LoopResources
    let clock: Clock
    /// The client's address, given to every request.
    let remoteAddress: String

    var phase = Phase.reading
    /// Bytes for the socket; the shell sends them on `.flush`.
    var output = OutputQueue()
    var parser: RequestParser
    /// Input received while a request was with the handler (pipelining), parsed after its answer.
    var inbox: [UInt8] = []
    /// The head of the request being read or answered (for an error answered in its place).
    var head: RequestHead?
    var sequence: UInt64 = 0
    /// A request for the handler; `.dispatch` until the shell takes it with `takeRequest()`.
    var pendingDispatch: HTTPRequest?
    var keepAlive = true
    var respondingToHead = false
    var responseVersionMinor = 1
    /// The request with the handler is the engine's own error: it ends the connection.
    var answeringEngineError = false
    var pullSource: ChunkSource?
    /// The pushed body being delivered; nil once it has ended.
    var pushStream: ResponseStream?
    var attachPending = false
    var pushDataPending = false
    /// The engine wants the push stream ended for this reason.
    var streamEndRequested: ResponseStream.EndReason?
    /// The reason given with the last `.endStream` action, awaiting `streamEnded(final:)`.
    var streamEnding: ResponseStream.EndReason?
    var streamChunked = true
    var peerClosed = false
    var draining = false
    var writeBlocked = false
    var closeRequested = false
    var firstRequest = true

    // When each deadline's clock started.
    var idleSince: MonotonicInstant
    var requestStartedAt: MonotonicInstant
    var bodyStartedAt: MonotonicInstant
    var bodyBytes = 0
    var awaitingSince: MonotonicInstant
    /// Set while the socket does not take everything it is given.
    var stallStartedAt: MonotonicInstant?
    var stallBytes = 0
    var lastWriteProgress: MonotonicInstant
    var lingerStartedAt: MonotonicInstant

    init(context: ServerContext, resources: LoopResources, clock: Clock, remoteAddress: String = "") {
        self.context = context
        self.resources = resources
        self.clock = clock
        self.remoteAddress = remoteAddress
        self.parser = RequestParser(limits: context.limits)
        let now = clock.now
        idleSince = now
        requestStartedAt = now
        bodyStartedAt = now
        awaitingSince = now
        lastWriteProgress = now
        lingerStartedAt = now
    }

    // MARK: what the shell asks

    /// Whether the socket should be watched for input.
    var wantsRead: Bool {
        switch phase {
        case .reading:
            return inbox.isEmpty && output.isEmpty && !peerClosed && pendingDispatch == nil
        case .lingering:
            return true
        case .streaming:
            // A pushed body can last for ever: watch for the client leaving.
            return pushStream != nil && inbox.isEmpty && !peerClosed
        case .awaitingResponse, .closingAfterWrite, .closed:
            return false
        }
    }

    /// Whether the shell should wait for the socket to become writable.
    var wantsWrite: Bool { writeBlocked && !output.isEmpty && phase != .closed }

    var isLingering: Bool { phase == .lingering }

    /// Nothing of a request received, queued or answered: safe to close without losing anything.
    var isIdle: Bool {
        phase == .reading && !parser.inProgress && inbox.isEmpty && output.isEmpty && pendingDispatch == nil
    }

    /// The request of the last `.dispatch`, handed over.
    mutating func takeRequest() -> HTTPRequest? {
        pendingDispatch.take()
    }

    // MARK: the next step

    mutating func nextAction() -> Action {
        while true {
            if phase == .closed { return .wait }
            if closeRequested {
                if let stream = pushStream {
                    pushStream = nil
                    streamEnding = .connectionClosed
                    return .endStream(stream, .connectionClosed)
                }
                phase = .closed
                release()
                return .close
            }
            if let reason = streamEndRequested, let stream = pushStream {
                streamEndRequested = nil
                pushStream = nil
                streamEnding = reason
                return .endStream(stream, reason)
            }
            if pendingDispatch != nil { return .dispatch(sequence: sequence) }
            if attachPending, let stream = pushStream {
                attachPending = false
                return .attach(stream)
            }
            // Taken even while the socket is blocked: the bytes only move, and the stream's
            // state (finished, or over its bound) must be known.
            if pushDataPending, let stream = pushStream {
                pushDataPending = false
                return .take(stream)
            }
            // Pipelined requests go before the flush, so their answers leave in one send.
            if phase == .reading && !inbox.isEmpty && output.pendingBytes < context.configuration.maxPipelineBytes {
                processInbox()
                continue
            }
            if !output.isEmpty { return writeBlocked ? .wait : .flush }
            switch phase {
            case .reading:
                if isIdle && (draining || peerClosed) {
                    closeRequested = true
                    continue
                }
                if peerClosed && inbox.isEmpty && pendingDispatch == nil {
                    // Half a request and the client has stopped sending: it can never complete.
                    closeRequested = true
                    continue
                }
                return .wait
            case .streaming:
                if let source = pullSource { return .pull(source) }
                return .wait
            case .closingAfterWrite:
                if peerClosed {
                    closeRequested = true
                    continue
                }
                phase = .lingering
                lingerStartedAt = clock.now
                inbox = []
                return .shutdownWrite
            case .awaitingResponse, .lingering, .closed:
                return .wait
            }
        }
    }

    private mutating func release() {
        output.removeAll()
        inbox = []
        head = nil
        pendingDispatch = nil
        pullSource = nil
        pushStream = nil
        writeBlocked = false
        stallStartedAt = nil
    }

    // MARK: inputs from the socket

    /// The first event of every connection.
    mutating func start() {
        idleSince = clock.now
        if context.isDraining { drain() }
    }

    /// The client sent end-of-file.
    mutating func readClosed() {
        peerClosed = true
        switch phase {
        case .reading:
            // `nextAction` closes once queued answers are out: a client may half-close after
            // sending its requests, and half a request can never complete.
            keepAlive = false
        case .lingering:
            closeRequested = true
        case .streaming where pushStream != nil:
            // An event stream has no end of its own: a client that stops sending has gone.
            closeRequested = true
        case .awaitingResponse, .streaming, .closingAfterWrite:
            keepAlive = false
        case .closed:
            break
        }
    }

    /// A read or write failed: the connection is unusable.
    mutating func socketFailed() {
        closeRequested = true
    }

    /// The shell sent (some of) `output`.
    mutating func flushed(_ result: OutputQueue.FlushResult) {
        switch result {
        case .drained:
            writeBlocked = false
            stallStartedAt = nil
        case .wouldBlock(let wrote):
            writeBlocked = true
            let now = clock.now
            if stallStartedAt == nil {
                stallStartedAt = now
                stallBytes = 0
                lastWriteProgress = now
            } else if wrote > 0 {
                stallBytes += wrote
                lastWriteProgress = now
            }
        case .failed:
            closeRequested = true
        }
    }

    /// The socket can take more bytes.
    mutating func writable() {
        writeBlocked = false
    }

    /// Graceful shutdown: idle connections close now, busy ones finish their request (its answer
    /// carries `Connection: close`), and event streams are ended with a last chunk.
    mutating func drain() {
        draining = true
        switch phase {
        case .reading:
            if isIdle { closeRequested = true }
        case .lingering:
            closeRequested = true
        case .streaming:
            if pushStream != nil && streamEndRequested == nil { streamEndRequested = .serverShutdown }
        case .awaitingResponse, .closingAfterWrite, .closed:
            break
        }
    }
}
