/// Incremental, byte-level HTTP/1.1 request parser. It consumes whatever bytes arrive, in any
/// split, and reports a head, then (after `startBody`) a complete message. The head is scanned
/// as it arrives so that limits trip as soon as they are crossed; when a head arrives whole in one
/// read it is parsed in place with no copy, otherwise its pieces are kept in a small buffer.
struct RequestParser {
    enum Result {
        case needMore
        case head(RequestHead)
        case complete([UInt8])
        case failure(ParseError)
    }

    enum State {
        case head
        case awaitingBodyDecision
        case fixedBody
        case chunkSize
        case chunkExtension
        case chunkSizeLF
        case chunkData
        case chunkDataCR
        case chunkDataLF
        case trailer
        case failed
    }

    let limits: ParserLimits
    private(set) var state: State = .head
    private var failure: ParseError? = nil

    // head scanning
    private var headBuffer: [UInt8] = []
    private var lineLength = 0
    private var sawCR = false
    private var requestLineSeen = false
    private var leadingEmptyLines = 0
    private var headerSectionBytes = 0
    private var headerLines = 0
    /// True once any byte of the current request arrived (for choosing idle vs header timeout).
    private(set) var inProgress = false

    // body
    private var body: [UInt8] = []
    private var remaining = 0
    private var bodyLimit = Int.max
    private var chunkSizeDigits = 0
    private var extensionBytes = 0
    private var trailerLine: [UInt8] = []
    private var trailerBytes = 0
    private var trailerCount = 0

    init(limits: ParserLimits) { self.limits = limits }

    var isReadingBody: Bool {
        switch state {
        case .head, .awaitingBodyDecision, .failed: return false
        default: return true
        }
    }

    /// Parses from `input[offset...]`, advancing `offset` past what it used.
    mutating func parse(_ input: UnsafeRawBufferPointer, _ offset: inout Int) -> Result {
        if let failure { return .failure(failure) }
        switch state {
        case .head:
            return parseHead(input, &offset)
        case .awaitingBodyDecision:
            return .needMore
        case .failed:
            return .failure(failure ?? ParseError(.badRequest, "Parser failed"))
        default:
            return parseBody(input, &offset)
        }
    }

    /// Decides how to read the body once the engine knows the route's limit; an error here is
    /// 413 for a Content-Length over the limit (sent before any of the body is read).
    mutating func startBody(head: RequestHead, limit: Int) -> Result? {
        precondition(state == .awaitingBodyDecision)
        bodyLimit = limit
        if head.chunked {
            state = .chunkSize
            chunkSizeDigits = 0
            remaining = 0
            return nil
        }
        let length = head.contentLength ?? 0
        if length > limit {
            return fail(ParseError(.contentTooLarge, "Body of \(length) bytes exceeds the limit of \(limit) bytes"))
        }
        if length == 0 {
            return finish()
        }
        remaining = length
        body.reserveCapacity(min(length, 64 * 1024))
        state = .fixedBody
        return nil
    }

    private mutating func fail(_ e: ParseError) -> Result {
        failure = e
        state = .failed
        headBuffer = []
        body = []
        return .failure(e)
    }

    private mutating func finish() -> Result {
        let b = body
        body = []
        resetForNextRequest()
        return .complete(b)
    }

    private mutating func resetForNextRequest() {
        state = .head
        lineLength = 0
        sawCR = false
        requestLineSeen = false
        leadingEmptyLines = 0
        headerSectionBytes = 0
        headerLines = 0
        inProgress = false
        remaining = 0
        bodyLimit = .max
        chunkSizeDigits = 0
        extensionBytes = 0
        trailerLine = []
        trailerBytes = 0
        trailerCount = 0
    }

    // MARK: head

    private mutating func parseHead(_ input: UnsafeRawBufferPointer, _ offset: inout Int) -> Result {
        let start = offset
        let n = input.count
        var i = offset
        if i < n { inProgress = true }
        while i < n {
            if sawCR {
                let b = input[i]
                i += 1
                guard b == ByteClass.lf else { return fail(ParseError(.badRequest, "Bare CR in request head")) }
                sawCR = false
                if !requestLineSeen {
                    if lineLength == 0 {
                        leadingEmptyLines += 1
                        if leadingEmptyLines > 4 { return fail(ParseError(.badRequest, "Too many empty lines before the request line")) }
                    } else {
                        requestLineSeen = true
                    }
                } else if lineLength == 0 {
                    // end of head
                    offset = i
                    return completeHead(input, start, i)
                } else {
                    headerLines += 1
                    if headerLines > limits.maxHeaderCount {
                        return fail(ParseError(.requestHeaderFieldsTooLarge, "More than \(limits.maxHeaderCount) header fields"))
                    }
                }
                lineLength = 0
                continue
            }
            // The run of ordinary bytes up to the next CR or LF is counted at once.
            var j = i
            while j < n && input[j] != ByteClass.cr && input[j] != ByteClass.lf { j += 1 }
            if j > i {
                lineLength += j - i
                if requestLineSeen {
                    headerSectionBytes += j - i
                    if headerSectionBytes > limits.maxHeaderBytes {
                        return fail(ParseError(.requestHeaderFieldsTooLarge, "Header section exceeds \(limits.maxHeaderBytes) bytes"))
                    }
                } else if lineLength > limits.maxRequestLineBytes {
                    return fail(ParseError(.uriTooLong, "Request line exceeds \(limits.maxRequestLineBytes) bytes"))
                }
                i = j
                if i == n { break }
            }
            let b = input[i]
            i += 1
            if b == ByteClass.lf { return fail(ParseError(.badRequest, "Bare LF in request head")) }
            sawCR = true
            if requestLineSeen {
                headerSectionBytes += 1
                if headerSectionBytes > limits.maxHeaderBytes {
                    return fail(ParseError(.requestHeaderFieldsTooLarge, "Header section exceeds \(limits.maxHeaderBytes) bytes"))
                }
            }
        }
        // incomplete: keep what we scanned
        if n > start {
            headBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[start..<n]))
        }
        offset = n
        return .needMore
    }

    private mutating func completeHead(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Result {
        let parsed: Result
        if headBuffer.isEmpty {
            parsed = parseHeadBytes(UnsafeRawBufferPointer(rebasing: input[start..<end]))
        } else {
            headBuffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[start..<end]))
            let buffer = headBuffer
            headBuffer = []
            parsed = buffer.withUnsafeBytes { parseHeadBytes($0) }
        }
        return parsed
    }

    private mutating func parseHeadBytes(_ bytes: UnsafeRawBufferPointer) -> Result {
        do {
            let head = try HeadParser.parse(bytes)
            state = .awaitingBodyDecision
            return .head(head)
        } catch {
            return fail(error)
        }
    }

    // MARK: body

    private mutating func parseBody(_ input: UnsafeRawBufferPointer, _ offset: inout Int) -> Result {
        let n = input.count
        var i = offset
        defer { offset = i }
        while true {
            switch state {
            case .fixedBody:
                let take = min(remaining, n - i)
                if take > 0 {
                    body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                    i += take
                    remaining -= take
                }
                if remaining == 0 { return finish() }
                return .needMore

            case .chunkSize:
                guard i < n else { return .needMore }
                let b = input[i]
                if let h = hexValue(b) {
                    if chunkSizeDigits >= 15 { return fail(ParseError(.badRequest, "Chunk size too large")) }
                    remaining = remaining << 4 | Int(h)
                    chunkSizeDigits += 1
                    i += 1
                    continue
                }
                guard chunkSizeDigits > 0 else { return fail(ParseError(.badRequest, "Invalid chunk size")) }
                if b == UInt8(ascii: ";") || b == ByteClass.sp || b == ByteClass.htab {
                    state = .chunkExtension
                    extensionBytes = 0
                    i += 1
                } else if b == ByteClass.cr {
                    state = .chunkSizeLF
                    i += 1
                } else {
                    return fail(ParseError(.badRequest, "Invalid chunk size"))
                }
                if body.count + remaining > bodyLimit {
                    return fail(ParseError(.contentTooLarge, "Chunked body exceeds the limit of \(bodyLimit) bytes"))
                }

            case .chunkExtension:
                guard i < n else { return .needMore }
                let b = input[i]
                i += 1
                if b == ByteClass.cr { state = .chunkSizeLF; continue }
                guard ByteClass.isFieldValueByte(b) else { return fail(ParseError(.badRequest, "Invalid chunk extension")) }
                extensionBytes += 1
                if extensionBytes > 4096 { return fail(ParseError(.badRequest, "Chunk extension too long")) }

            case .chunkSizeLF:
                guard i < n else { return .needMore }
                guard input[i] == ByteClass.lf else { return fail(ParseError(.badRequest, "Invalid chunk size line")) }
                i += 1
                if remaining == 0 {
                    state = .trailer
                    trailerLine = []
                    continue
                }
                state = .chunkData

            case .chunkData:
                let take = min(remaining, n - i)
                if take > 0 {
                    body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                    i += take
                    remaining -= take
                }
                if remaining > 0 { return .needMore }
                state = .chunkDataCR

            case .chunkDataCR:
                guard i < n else { return .needMore }
                guard input[i] == ByteClass.cr else { return fail(ParseError(.badRequest, "Chunk data longer than its size")) }
                i += 1
                state = .chunkDataLF

            case .chunkDataLF:
                guard i < n else { return .needMore }
                guard input[i] == ByteClass.lf else { return fail(ParseError(.badRequest, "Chunk data longer than its size")) }
                i += 1
                state = .chunkSize
                chunkSizeDigits = 0
                remaining = 0

            case .trailer:
                guard i < n else { return .needMore }
                let b = input[i]
                i += 1
                if let last = trailerLine.last, last == ByteClass.cr {
                    guard b == ByteClass.lf else { return fail(ParseError(.badRequest, "Bare CR in trailer")) }
                    trailerLine.removeLast()
                    if trailerLine.isEmpty { return finish() }
                    if let e = validateTrailer(trailerLine) { return fail(e) }
                    trailerCount += 1
                    if trailerCount > limits.maxHeaderCount {
                        return fail(ParseError(.requestHeaderFieldsTooLarge, "Too many trailer fields"))
                    }
                    trailerLine.removeAll(keepingCapacity: true)
                    continue
                }
                if b == ByteClass.lf { return fail(ParseError(.badRequest, "Bare LF in trailer")) }
                trailerLine.append(b)
                trailerBytes += 1
                if trailerBytes > limits.maxHeaderBytes {
                    return fail(ParseError(.requestHeaderFieldsTooLarge, "Trailer section too large"))
                }

            case .head, .awaitingBodyDecision, .failed:
                return .needMore
            }
        }
    }

    /// Trailer fields are checked like header fields and then dropped: nothing downstream uses them.
    private func validateTrailer(_ line: [UInt8]) -> ParseError? {
        guard let first = line.first else { return nil }
        if first == ByteClass.sp || first == ByteClass.htab { return ParseError(.badRequest, "Obsolete line folding in trailer") }
        var i = 0
        while i < line.count && ByteClass.isToken(line[i]) { i += 1 }
        guard i > 0, i < line.count, line[i] == ByteClass.colon else { return ParseError(.badRequest, "Invalid trailer field") }
        i += 1
        while i < line.count {
            guard ByteClass.isFieldValueByte(line[i]) else { return ParseError(.badRequest, "Invalid character in trailer field") }
            i += 1
        }
        return nil
    }
}
