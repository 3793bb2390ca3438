/// Writing answers: the head and body into the output queue, pulled and pushed bodies chunk by
/// chunk, and what follows an answer (the next request, or closing).
extension ConnectionStateMachine {
    /// A handler's answer. Returns false when it is dropped: it is late (the engine answered in
    /// its place), or it answers a request this connection no longer waits for.
    @discardableResult
    mutating func responseReady(_ response: HTTPResponse, sequence answered: UInt64) -> Bool {
        guard phase == .awaitingResponse, answered == sequence, pendingDispatch == nil else { return false }
        answeringEngineError = false
        head = nil
        writeResponse(response)
        return true
    }

    /// Serializes a response into the output queue and moves to the next phase.
    mutating func writeResponse(_ response: HTTPResponse) {
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
        switch body {
        case .stream, .push:
            if responseVersionMinor == 0 { closeAfter = true } else { chunked = true }
        case .empty, .bytes:
            break
        }
        keepAlive = !closeAfter
        let headOnly = respondingToHead
        let versionMinor = responseVersionMinor
        let date = resources.dateCache.current()
        let server = context.serverHeaderLine
        output.write(spare: &resources.spareOutput) { out in
            ResponseSerializer.writeHead(status: status, headers: response.headers, body: body, bodyForbidden: bodyForbidden,
                                         chunked: chunked, close: closeAfter, http10: versionMinor == 0,
                                         date: date, server: server, into: &out)
            if !headOnly, case .bytes(let b) = body, b.count <= Framing.inlineBodyBytes {
                out.append(contentsOf: b)
            }
        }
        streamChunked = chunked
        switch body {
        case .bytes(let b) where !headOnly && b.count > Framing.inlineBodyBytes:
            output.appendSegment(b)
        case .stream(let source) where !headOnly:
            pullSource = source
            phase = .streaming
            return
        case .push(let stream):
            pushStream = stream
            phase = .streaming
            if headOnly {
                // No body for HEAD: the producer is told at once, and the connection goes on.
                streamEndRequested = .connectionClosed
            } else {
                attachPending = true
            }
            return
        default:
            break
        }
        finishResponse()
    }

    /// After the last byte of an answer is queued: the next request, or closing.
    mutating func finishResponse() {
        pullSource = nil
        pushStream = nil
        if keepAlive {
            phase = .reading
            idleSince = clock.now
        } else {
            phase = .closingAfterWrite
        }
    }

    /// One chunk from a pull source; nil ends the body.
    mutating func pulled(_ chunk: [UInt8]?) {
        guard phase == .streaming, pullSource != nil else { return }
        guard let chunk else {
            if streamChunked { output.append(Framing.lastChunk, spare: &resources.spareOutput) }
            finishResponse()
            return
        }
        appendChunk(chunk)
    }

    /// The pushed body's producer wrote something (called from the stream's wake-up).
    mutating func streamWoke() {
        if pushStream != nil { pushDataPending = true }
    }

    /// What the producer wrote since the last take.
    mutating func streamed(_ taken: ResponseStream.Taken) {
        guard phase == .streaming, pushStream != nil else { return }
        appendChunk(taken.bytes)
        switch taken.status {
        case .finished:
            if streamChunked { output.append(Framing.lastChunk, spare: &resources.spareOutput) }
            finishResponse()
        case .overflowed:
            context.counters.streamsCutOff.increment()
            if streamEndRequested == nil { streamEndRequested = .clientTooSlow }
        case .open, .ended:
            break
        }
    }

    /// The producer's answer to `.endStream`: its last chunk, if the reason allows one.
    mutating func streamEnded(final: [UInt8]?) {
        let reason = streamEnding
        streamEnding = nil
        guard !closeRequested, phase == .streaming, let reason else { return }
        switch reason {
        case .clientTooSlow, .serverShutdown:
            if let final { appendChunk(final) }
            if streamChunked { output.append(Framing.lastChunk, spare: &resources.spareOutput) }
            keepAlive = false
            finishResponse()
        case .connectionClosed:
            // Only a HEAD request ends a stream this way with the connection still open.
            finishResponse()
        }
    }

    /// Frames one body chunk (chunked on HTTP/1.1, raw on HTTP/1.0). Small chunks are copied into
    /// the shared buffer with their framing; large ones are queued as their own segment.
    mutating func appendChunk(_ chunk: [UInt8]) {
        guard !chunk.isEmpty else { return }
        if streamChunked {
            output.write(spare: &resources.spareOutput) { out in
                ResponseSerializer.appendHex(chunk.count, to: &out)
                out.append(0x0D); out.append(0x0A)
                if chunk.count <= Framing.inlineChunkBytes { out.append(contentsOf: chunk); out.append(0x0D); out.append(0x0A) }
            }
            if chunk.count > Framing.inlineChunkBytes {
                output.appendSegment(chunk)
                output.append(Framing.crlf, spare: &resources.spareOutput)
            }
        } else if chunk.count <= Framing.inlineChunkBytes {
            output.append(chunk, spare: &resources.spareOutput)
        } else {
            output.appendSegment(chunk)
        }
    }
}

/// Fixed bytes and size thresholds of the HTTP/1.1 framing the engine writes.
enum Framing {
    static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    static let lastChunk = Array("0\r\n\r\n".utf8)
    static let crlf: [UInt8] = [0x0D, 0x0A]
    /// Bodies up to this size are copied next to their head; larger ones go as their own segment
    /// of the same vectored send, which costs no copy (both leave in one system call either way).
    static let inlineBodyBytes = 1024
    static let inlineChunkBytes = 4096
}
