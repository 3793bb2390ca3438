/// Reading requests: parsing what arrives, starting bodies, handing complete requests over,
/// and refusing broken ones.
extension ConnectionStateMachine {
    /// Bytes read from the socket (they need only live for this call).
    mutating func received(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        switch phase {
        case .lingering, .closed:
            return
        case .reading where inbox.isEmpty:
            let used = process(bytes)
            if used < bytes.count { inbox.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[used...])) }
        default:
            inbox.append(contentsOf: bytes)
        }
    }

    /// Parses what waited in the inbox (after an answer, or when the output drained).
    mutating func processInbox() {
        let pending = inbox
        inbox = []
        let used = pending.withUnsafeBytes { process($0) }
        if used < pending.count {
            inbox = used == 0 ? pending : Array(pending[used...])
        }
    }

    /// Feeds bytes to the parser until a request is complete (or refused) or the bytes run out;
    /// returns how many it used.
    mutating func process(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        var pending: RequestParser.Result? = nil
        while phase == .reading && output.pendingBytes < context.configuration.maxPipelineBytes {
            let result: RequestParser.Result
            if let p = pending {
                result = p
                pending = nil
            } else {
                if !parser.inProgress && offset < bytes.count { requestStartedAt = clock.now }
                let before = offset
                let inBody = parser.isReadingBody
                result = parser.parse(bytes, &offset)
                if inBody { bodyBytes += offset - before }
            }
            switch result {
            case .needMore:
                return offset
            case .head(let parsed):
                if parsed.contentLength == nil && !parsed.chunked && context.lengthRequiredMethods.contains(parsed.method) {
                    head = parsed
                    fail(ParseError(.lengthRequired, "A \(parsed.method.rawValue) request needs Content-Length or chunked framing"))
                    return offset
                }
                head = parsed
                // The limit of the route the router will match: on the path as it was sent. Only
                // a request with a body needs one (matching the route twice costs).
                let limit = parsed.hasBody
                    ? context.bodyLimitFor(parsed.method, parsed.rawPath ?? parsed.path) ?? context.configuration.maxBodyBytes
                    : 0
                bodyStartedAt = clock.now
                bodyBytes = 0
                if let immediate = parser.startBody(head: parsed, limit: limit) {
                    pending = immediate
                    continue
                }
                if parsed.expectContinue {
                    output.append(Framing.continueLine, spare: &resources.spareOutput)
                }
            case .complete(let body):
                dispatch(body: body)
            case .failure(let error):
                fail(error)
                return offset
            }
        }
        return offset
    }

    /// Hands a complete request to the handler.
    mutating func dispatch(body: [UInt8]) {
        guard let head else { return }
        sequence &+= 1
        phase = .awaitingResponse
        awaitingSince = clock.now
        firstRequest = false
        respondingToHead = head.method == .head
        responseVersionMinor = head.version.minor
        keepAlive = head.keepAlive && !draining && !peerClosed && !context.isDraining
        var request = HTTPRequest(
            method: head.method, target: head.target, path: head.path, query: head.query,
            version: head.version, headers: head.headers, body: body, remoteAddress: remoteAddress)
        request.rawPath = head.rawPath
        pendingDispatch = request
    }

    /// Answers a request the engine refuses (or one whose handler ran out of time) and ends the
    /// connection: after a framing error nothing later on it can be trusted. The answer runs
    /// through the handler's middleware when the handler takes engine answers.
    mutating func fail(_ error: ParseError) {
        inbox = []
        keepAlive = false
        respondingToHead = head?.method == .head
        responseVersionMinor = head?.version.minor ?? 1
        phase = .awaitingResponse
        awaitingSince = clock.now
        sequence &+= 1   // an answer still on its way for an earlier request is dropped
        var problem = ProblemDetails(error.status, detail: error.detail)
        if error.status == .serviceUnavailable { problem.headers.add("Retry-After", "1") }
        let answer = problem.response
        guard context.routesEngineErrors else {
            writeResponse(answer)
            return
        }
        answeringEngineError = true
        var request: HTTPRequest
        if let head {
            request = HTTPRequest(method: head.method, target: head.target, path: head.path, query: head.query,
                                  version: head.version, headers: head.headers, remoteAddress: remoteAddress)
            request.rawPath = head.rawPath
        } else {
            // Refused before the head made sense: nothing about the request is known.
            request = HTTPRequest(method: HTTPMethod(rawValue: "-"), target: "-", path: "-", query: QueryParameters(),
                                  remoteAddress: remoteAddress)
        }
        request.engineResponse = answer
        pendingDispatch = request
    }
}
