import Dispatch
import Glibc

/// One client connection. All state lives on its event loop's queue. Requests are handled one
/// at a time: bytes of pipelined requests that arrive early wait in `inbox` and reading pauses,
/// which is also the backpressure for clients that send faster than they read.
final class Connection: @unchecked Sendable {
    enum Phase { case reading, awaitingResponse, streaming, closingAfterWrite, lingering, closed }
    enum DeadlineKind { case none, idle, header, body, write, linger }

    let id: UInt64
    let fd: Int32
    let loop: EventLoop
    let context: ServerContext
    let remoteAddress: String

    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private var readPaused = false
    private var writeArmed = false
    private var liveSources = 0

    private var parser: RequestParser
    private var currentHead: RequestHead?
    private var inbox: [UInt8] = []
    private var output = OutputQueue()
    private(set) var phase: Phase = .reading

    private var requestSeq: UInt64 = 0
    private var keepAlive = true
    private var respondingToHead = false
    private var responseVersionMinor = 1
    private var stream: ChunkSource?
    private var streamChunked = true
    private var processing = false
    private var peerClosed = false
    private var draining = false

    private(set) var deadline: UInt64 = .max
    private var deadlineKind: DeadlineKind = .none

    init(id: UInt64, fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.id = id
        self.fd = fd
        self.loop = loop
        self.context = loop.context
        self.remoteAddress = remoteAddress
        self.parser = RequestParser(limits: loop.context.limits)
    }

    // MARK: lifecycle

    /// Runs on the loop queue right after accept.
    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
        source.setEventHandler { [self] in self.readable() }
        source.setCancelHandler { [self] in self.sourceCancelled() }
        liveSources += 1
        readSource = source
        source.resume()
        setDeadline(.idle, context.configuration.headerTimeout)
        if context.isDraining { drain() }
    }

    private func sourceCancelled() {
        liveSources -= 1
        if liveSources == 0 {
            Glibc.close(fd)
            readSource = nil
            writeSource = nil
        }
    }

    func close() {
        guard phase != .closed else { return }
        phase = .closed
        stream = nil
        output.removeAll()
        inbox = []
        deadline = .max
        if let r = readSource {
            r.cancel()
            if readPaused { r.resume(); readPaused = false }
        }
        if let w = writeSource {
            w.cancel()
            if !writeArmed { w.resume(); writeArmed = true }
        }
        loop.unregister(self)
        context.openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Called by the sweep when `deadline` has passed.
    func deadlinePassed() {
        switch deadlineKind {
        case .none:
            deadline = .max
        case .idle, .write, .linger:
            close()
        case .header, .body:
            if phase == .reading {
                fail(ParseError(.requestTimeout, deadlineKind == .header
                    ? "The request head did not arrive in time" : "The request body stalled"))
                drive()
            } else {
                close()
            }
        }
    }

    func drain() {
        draining = true
        if phase == .lingering {
            close()
            return
        }
        // A request that already reached the socket counts as in flight: read it before deciding.
        if phase == .reading && isIdle { readable() }
        if phase == .reading && isIdle { close() }
    }

    private var isIdle: Bool {
        !parser.inProgress && output.isEmpty && inbox.isEmpty && currentHead == nil
    }

    private func setDeadline(_ kind: DeadlineKind, _ seconds: Double, refresh: Bool = false) {
        if kind != deadlineKind || refresh {
            deadlineKind = kind
            deadline = coarseMonotonicNanos() &+ UInt64(seconds * 1e9)
        }
    }

    private func clearDeadline() {
        deadlineKind = .none
        deadline = .max
    }

    // MARK: reading

    private func readable() {
        if phase == .lingering { discardInput(); return }
        guard phase == .reading, inbox.isEmpty else {
            pauseReading()
            return
        }
        let buffer = loop.readBuffer
        var rounds = 0
        while phase == .reading && inbox.isEmpty {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                let used = process(bytes)
                if used < n {
                    inbox.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...]))
                }
                rounds += 1
                if n < buffer.count || rounds >= 4 { break }
            } else if n == 0 {
                peerEOF()
                break
            } else {
                let e = errno
                if e == EINTR { continue }
                if e == EAGAIN || e == EWOULDBLOCK { break }
                close()
                return
            }
        }
        drive()
    }

    private func peerEOF() {
        peerClosed = true
        if phase == .reading && currentHead == nil && output.isEmpty && !parser.inProgress {
            close()
            return
        }
        if phase == .reading && (parser.inProgress || currentHead != nil) {
            // The client stopped mid-request: it can never complete.
            close()
            return
        }
        keepAlive = false
        pauseReading()
    }

    private func discardInput() {
        let buffer = loop.readBuffer
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            close()
            return
        }
    }

    /// Feeds bytes to the parser and runs complete requests; returns how many bytes it used.
    /// Stops early when a request is handed off and its answer is not back yet.
    private func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        processing = true
        defer { processing = false }
        var offset = 0
        var pending: RequestParser.Result? = nil
        while phase == .reading && output.pendingBytes < context.configuration.maxPipelineBytes {
            let result = pending ?? parser.parse(bytes, &offset)
            pending = nil
            switch result {
            case .needMore:
                if parser.isReadingBody {
                    setDeadline(.body, context.configuration.bodyTimeout, refresh: true)
                } else if parser.inProgress {
                    setDeadline(.header, context.configuration.headerTimeout)
                }
                return offset
            case .head(let head):
                if let error = checkHead(head) {
                    fail(error)
                    return offset
                }
                currentHead = head
                let limit = context.bodyLimitFor(head.method, head.path) ?? context.configuration.maxBodyBytes
                if let immediate = parser.startBody(head: head, limit: limit) {
                    pending = immediate
                    continue
                }
                if head.expectContinue {
                    output.append(Connection.continueLine, spare: &loop.spareOutput)
                }
                setDeadline(.body, context.configuration.bodyTimeout, refresh: true)
            case .complete(let body):
                dispatch(body: body)
            case .failure(let error):
                fail(error)
                return offset
            }
        }
        return offset
    }

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    private func checkHead(_ head: RequestHead) -> ParseError? {
        if head.contentLength == nil && !head.chunked && context.lengthRequiredMethods.contains(head.method) {
            return ParseError(.lengthRequired, "A \(head.method.rawValue) request needs Content-Length or chunked framing")
        }
        return nil
    }

    /// Answers a broken request and closes: after an error the framing can no longer be trusted.
    private func fail(_ error: ParseError) {
        currentHead = nil
        inbox = []
        keepAlive = false
        respondingToHead = false
        responseVersionMinor = 1
        phase = .awaitingResponse
        write(HTTPResponse.problem(error.status, detail: error.detail))
    }

    // MARK: requests

    private func dispatch(body: [UInt8]) {
        guard let head = currentHead else { return }
        currentHead = nil
        requestSeq &+= 1
        phase = .awaitingResponse
        clearDeadline()
        respondingToHead = head.method == .head
        responseVersionMinor = head.version.minor
        keepAlive = head.keepAlive && !draining && !peerClosed && !context.isDraining

        var request = HTTPRequest(
            method: head.method, target: head.target, path: head.path, query: head.query,
            version: head.version, headers: head.headers, body: body, remoteAddress: remoteAddress)
        request.rawPath = head.rawPath
        let seq = requestSeq
        let responder = Responder { [self] response in self.respond(response, seq: seq) }
        context.handler(request, responder)
    }

    /// Entry point for a handler's answer, from any thread.
    private func respond(_ response: HTTPResponse, seq: UInt64) {
        if loop.isCurrent {
            deliver(response, seq: seq)
        } else {
            loop.queue.async { [self] in self.deliver(response, seq: seq) }
        }
    }

    private func deliver(_ response: HTTPResponse, seq: UInt64) {
        guard phase == .awaitingResponse, seq == requestSeq else { return }
        write(response)
        if !processing { drive() }
    }

    /// Serializes a response into the output queue and moves to the next phase.
    private func write(_ response: HTTPResponse) {
        if draining || context.isDraining { keepAlive = false }
        var status = response.status
        var body = response.body
        let bodyForbidden = status.code < 200 || status.code == 204 || status.code == 304
        if bodyForbidden { body = .empty }
        if status.code < 200 { status = HTTPStatus(500) }   // interim responses are the engine's business

        var closeAfter = !keepAlive
        if let c = response.headers["Connection"], c.utf8.count == 5, asciiCaseInsensitiveEquals(c, "close") {
            closeAfter = true
        }
        var chunked = false
        if case .stream = body {
            if responseVersionMinor == 0 { closeAfter = true } else { chunked = true }
        }
        keepAlive = !closeAfter
        let headOnly = respondingToHead
        let context = self.context
        let versionMinor = responseVersionMinor
        let date = loop.dateCache.current()
        output.write(spare: &loop.spareOutput) { out in
            ResponseSerializer.writeHead(status: status, headers: response.headers, body: body, bodyForbidden: bodyForbidden,
                                         chunked: chunked, close: closeAfter, http10: versionMinor == 0,
                                         date: date, server: context.serverHeaderLine, into: &out)
            if !headOnly, case .bytes(let b) = body, b.count <= 16 * 1024 {
                out.append(contentsOf: b)
            }
        }
        if !headOnly {
            switch body {
            case .bytes(let b) where b.count > 16 * 1024:
                output.appendSegment(b)
            case .stream(let source):
                stream = source
                streamChunked = chunked
                phase = .streaming
                return
            default:
                break
            }
        }
        finishResponse()
    }

    private func finishResponse() {
        stream = nil
        if keepAlive {
            phase = .reading
            clearDeadline()
            setDeadline(.idle, context.configuration.idleTimeout)
        } else {
            phase = .closingAfterWrite
            clearDeadline()
        }
    }

    // MARK: writing and progress

    /// Moves the connection forward after any event: writes, pulls stream chunks, runs buffered
    /// pipelined requests, and decides whether to read. Every path ends here.
    private func drive() {
        var budget = 64
        while phase != .closed {
            budget -= 1
            if !output.isEmpty {
                switch output.flush(fd: fd, spare: &loop.spareOutput) {
                case .drained:
                    break
                case .wouldBlock(let wrote):
                    armWrite()
                    setDeadline(.write, context.configuration.writeTimeout, refresh: wrote > 0 || deadlineKind != .write)
                    updateReadInterest()
                    return
                case .failed:
                    close()
                    return
                }
            }
            disarmWrite()
            if deadlineKind == .write { clearDeadline(); if phase == .reading { setDeadline(.idle, context.configuration.idleTimeout) } }
            if budget <= 0 {
                loop.queue.async { [self] in self.drive() }
                return
            }
            switch phase {
            case .streaming:
                pumpStream()
                continue
            case .closingAfterWrite:
                beginLinger()
                return
            case .reading:
                if !inbox.isEmpty {
                    let pendingInput = inbox
                    inbox = []
                    let used = pendingInput.withUnsafeBytes { process($0) }
                    if used < pendingInput.count {
                        inbox = Array(pendingInput[used...])
                    }
                    if !output.isEmpty || phase != .reading { continue }
                }
                if peerClosed && inbox.isEmpty && currentHead == nil && !parser.inProgress {
                    close()
                    return
                }
                if parser.inProgress && deadlineKind == .idle {
                    setDeadline(.header, context.configuration.headerTimeout)
                }
            default:
                break
            }
            updateReadInterest()
            return
        }
    }

    private func pumpStream() {
        guard let source = stream else { finishResponse(); return }
        guard let chunk = source.nextChunk() else {
            if streamChunked {
                output.append(Connection.lastChunk, spare: &loop.spareOutput)
            }
            finishResponse()
            return
        }
        if chunk.isEmpty { return }
        if streamChunked {
            output.write(spare: &loop.spareOutput) { out in
                ResponseSerializer.appendHex(chunk.count, to: &out)
                out.append(0x0D); out.append(0x0A)
                if chunk.count <= 4096 { out.append(contentsOf: chunk); out.append(0x0D); out.append(0x0A) }
            }
            if chunk.count > 4096 {
                output.appendSegment(chunk)
                output.append(Connection.crlf, spare: &loop.spareOutput)
            }
        } else if chunk.count <= 4096 {
            output.append(chunk, spare: &loop.spareOutput)
        } else {
            output.appendSegment(chunk)
        }
    }

    private static let lastChunk = Array("0\r\n\r\n".utf8)
    private static let crlf: [UInt8] = [0x0D, 0x0A]

    /// After an answer that ends the connection: stop sending, then read and drop whatever the
    /// client still sends for a moment, so closing does not reset the connection and destroy
    /// the answer before the client reads it.
    private func beginLinger() {
        if peerClosed { close(); return }
        shutdown(fd, Int32(SHUT_WR))
        phase = .lingering
        inbox = []
        setDeadline(.linger, context.configuration.lingerTimeout)
        resumeReading()
    }

    private func updateReadInterest() {
        switch phase {
        case .reading:
            if inbox.isEmpty && output.isEmpty && !peerClosed { resumeReading() } else { pauseReading() }
        case .lingering:
            resumeReading()
        default:
            pauseReading()
        }
    }

    private func pauseReading() {
        guard !readPaused, let r = readSource else { return }
        r.suspend()
        readPaused = true
    }

    private func resumeReading() {
        guard readPaused, let r = readSource else { return }
        r.resume()
        readPaused = false
    }

    private func armWrite() {
        if writeSource == nil {
            let w = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: loop.queue)
            w.setEventHandler { [self] in self.drive() }
            w.setCancelHandler { [self] in self.sourceCancelled() }
            liveSources += 1
            writeSource = w
        }
        if !writeArmed {
            writeSource!.resume()
            writeArmed = true
        }
    }

    private func disarmWrite() {
        guard writeArmed, let w = writeSource else { return }
        w.suspend()
        writeArmed = false
    }
}
