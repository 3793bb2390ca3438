/// Parses a complete request head (request line + fields + empty line, already known to use CRLF
/// line ends and to be within the size limits) and decides the message framing per RFC 9112 §6.
enum HeadParser {
    static func parse(_ p: UnsafeRawBufferPointer) throws(ParseError) -> RequestHead {
        let n = p.count
        var i = 0
        // RFC 9112 §2.2: ignore empty lines before the request line.
        while i + 1 < n && p[i] == ByteClass.cr && p[i + 1] == ByteClass.lf { i += 2 }

        // method
        let methodStart = i
        while i < n && ByteClass.isToken(p[i]) { i += 1 }
        guard i > methodStart, i < n, p[i] == ByteClass.sp else {
            throw ParseError(.badRequest, "Malformed request line: invalid method")
        }
        let method = knownMethod(p, methodStart, i)
        i += 1
        // target
        let targetStart = i
        while i < n && ByteClass.isTargetByte(p[i]) { i += 1 }
        guard i > targetStart, i < n, p[i] == ByteClass.sp else {
            throw ParseError(.badRequest, "Malformed request line: invalid request target")
        }
        let targetEnd = i
        i += 1
        // version: exactly HTTP/D.D then CRLF
        guard i + 9 < n,
              p[i] == UInt8(ascii: "H"), p[i + 1] == UInt8(ascii: "T"), p[i + 2] == UInt8(ascii: "T"),
              p[i + 3] == UInt8(ascii: "P"), p[i + 4] == UInt8(ascii: "/"), p[i + 6] == UInt8(ascii: "."),
              isDigit(p[i + 5]), isDigit(p[i + 7]), p[i + 8] == ByteClass.cr
        else {
            throw ParseError(.badRequest, "Malformed request line: invalid HTTP version")
        }
        let major = Int(p[i + 5] - 48), minor = Int(p[i + 7] - 48)
        guard major == 1 else {
            throw ParseError(.httpVersionNotSupported, "Only HTTP/1.x is supported")
        }
        let version = HTTPVersion(major: 1, minor: minor)
        i += 10   // past CRLF

        // header fields
        var headers = HTTPHeaders(reservingCapacity: 12)
        var contentLength: Int? = nil
        var sawContentLength = false
        var transferEncodings = 0
        var codings: [Substring] = []
        var chunkedCount = 0
        var unsupportedCoding = false
        var hostCount = 0
        var keepAlive = minor >= 1
        var sawClose = false
        var expectContinue = false
        var unsupportedExpectation = false
        while true {
            guard i + 1 < n else { throw ParseError(.badRequest, "Truncated header section") }
            if p[i] == ByteClass.cr { break }   // the empty line (LF checked by the scanner)
            if p[i] == ByteClass.sp || p[i] == ByteClass.htab {
                throw ParseError(.badRequest, "Obsolete line folding is not accepted")
            }
            let nameStart = i
            while i < n && ByteClass.isToken(p[i]) { i += 1 }
            guard i < n else { throw ParseError(.badRequest, "Truncated header field") }
            if p[i] != ByteClass.colon {
                if p[i] == ByteClass.sp || p[i] == ByteClass.htab {
                    throw ParseError(.badRequest, "Whitespace between header field name and colon")
                }
                throw ParseError(.badRequest, "Invalid character in header field name")
            }
            guard i > nameStart else { throw ParseError(.badRequest, "Empty header field name") }
            let nameEnd = i
            i += 1
            while i < n && (p[i] == ByteClass.sp || p[i] == ByteClass.htab) { i += 1 }
            let valueStart = i
            while i < n && p[i] != ByteClass.cr {
                guard ByteClass.isFieldValueByte(p[i]) else {
                    throw ParseError(.badRequest, "Invalid character in header field value")
                }
                i += 1
            }
            guard i + 1 < n, p[i + 1] == ByteClass.lf else { throw ParseError(.badRequest, "Bare CR in header field") }
            var valueEnd = i
            while valueEnd > valueStart && (p[valueEnd - 1] == ByteClass.sp || p[valueEnd - 1] == ByteClass.htab) { valueEnd -= 1 }
            i += 2

            let nameLen = nameEnd - nameStart
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: p[nameStart..<nameEnd]), as: UTF8.self)
            let value = String(decoding: UnsafeRawBufferPointer(rebasing: p[valueStart..<valueEnd]), as: UTF8.self)
            headers.fields.append((name: name, value: value))

            switch nameLen {
            case 4 where equalsLower(p, nameStart, "host"):
                hostCount += 1
                try validateHost(p, valueStart, valueEnd)
            case 14 where equalsLower(p, nameStart, "content-length"):
                let v = try parseContentLength(p, valueStart, valueEnd)
                if sawContentLength, contentLength != v {
                    throw ParseError(.badRequest, "Conflicting Content-Length values")
                }
                sawContentLength = true
                contentLength = v
            case 17 where equalsLower(p, nameStart, "transfer-encoding"):
                transferEncodings += 1
                for raw in value.split(separator: ",", omittingEmptySubsequences: false) {
                    let coding = trimOWS(raw)
                    if coding.isEmpty { continue }
                    codings.append(coding)
                    if asciiCaseInsensitiveEquals(String(coding), "chunked") { chunkedCount += 1 } else { unsupportedCoding = true }
                }
            case 10 where equalsLower(p, nameStart, "connection"):
                for raw in value.split(separator: ",") {
                    let token = String(trimOWS(raw))
                    if asciiCaseInsensitiveEquals(token, "close") { sawClose = true }
                    else if asciiCaseInsensitiveEquals(token, "keep-alive") { keepAlive = true }
                }
            case 6 where equalsLower(p, nameStart, "expect"):
                if minor >= 1 {
                    if asciiCaseInsensitiveEquals(value, "100-continue") { expectContinue = true } else { unsupportedExpectation = true }
                }
            default:
                break
            }
        }
        if sawClose { keepAlive = false }

        // framing (RFC 9112 §6.1-6.3)
        var chunked = false
        if transferEncodings > 0 {
            if sawContentLength {
                throw ParseError(.badRequest, "Both Content-Length and Transfer-Encoding")
            }
            if minor == 0 {
                throw ParseError(.badRequest, "Transfer-Encoding in an HTTP/1.0 request")
            }
            if unsupportedCoding {
                throw ParseError(.notImplemented, "Unsupported transfer coding")
            }
            guard chunkedCount == 1, let last = codings.last, asciiCaseInsensitiveEquals(String(last), "chunked") else {
                throw ParseError(.badRequest, "Invalid Transfer-Encoding")
            }
            chunked = true
        }
        if minor >= 1 && hostCount == 0 {
            throw ParseError(.badRequest, "Missing Host header")
        }
        if hostCount > 1 {
            throw ParseError(.badRequest, "More than one Host header")
        }
        if unsupportedExpectation {
            throw ParseError(.expectationFailed, "Only Expect: 100-continue is supported")
        }

        // target forms (RFC 9112 §3.2)
        let target = String(decoding: UnsafeRawBufferPointer(rebasing: p[targetStart..<targetEnd]), as: UTF8.self)
        var pathStart = targetStart
        if p[targetStart] != UInt8(ascii: "/") {
            if targetEnd - targetStart == 1 && p[targetStart] == UInt8(ascii: "*") {
                guard method == .options else { throw ParseError(.badRequest, "Asterisk-form is only for OPTIONS") }
                return RequestHead(method: method, target: target, path: "*", rawPath: nil, query: QueryParameters(),
                                   version: version, headers: headers, contentLength: contentLength, chunked: chunked,
                                   keepAlive: keepAlive, expectContinue: expectContinue && (chunked || (contentLength ?? 0) > 0))
            }
            pathStart = try absoluteFormPathStart(p, targetStart, targetEnd)
        }
        var queryStart = pathStart
        while queryStart < targetEnd && p[queryStart] != UInt8(ascii: "?") { queryStart += 1 }
        var hasPercent = false
        for k in pathStart..<queryStart where p[k] == UInt8(ascii: "%") { hasPercent = true; break }
        let path: String
        var rawPath: String? = nil
        if pathStart == queryStart {
            path = "/"
        } else if !hasPercent {
            // Nothing to decode: reuse the target string when it is all path.
            path = (pathStart == targetStart && queryStart == targetEnd)
                ? target : String(decoding: UnsafeRawBufferPointer(rebasing: p[pathStart..<queryStart]), as: UTF8.self)
        } else {
            guard let decoded = percentDecode(p, pathStart, queryStart, plusIsSpace: false) else {
                throw ParseError(.badRequest, "Invalid percent-encoding in path")
            }
            if decoded.utf8.contains(0) { throw ParseError(.badRequest, "NUL in path") }
            path = decoded
            rawPath = String(decoding: UnsafeRawBufferPointer(rebasing: p[pathStart..<queryStart]), as: UTF8.self)
        }
        var query = QueryParameters()
        if queryStart < targetEnd {
            guard let q = QueryParameters.parse(UnsafeRawBufferPointer(rebasing: p[(queryStart + 1)..<targetEnd])) else {
                throw ParseError(.badRequest, "Invalid percent-encoding in query")
            }
            query = q
        }
        let hasBody = chunked || (contentLength ?? 0) > 0
        return RequestHead(method: method, target: target, path: path, rawPath: rawPath, query: query,
                           version: version, headers: headers, contentLength: contentLength, chunked: chunked,
                           keepAlive: keepAlive, expectContinue: expectContinue && hasBody)
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 48 < 10 }

    /// Methods the engine knows come from static strings, so parsing them allocates nothing.
    @inline(__always)
    static func knownMethod(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> HTTPMethod {
        switch e - s {
        case 3:
            if p[s] == UInt8(ascii: "G") && p[s + 1] == UInt8(ascii: "E") && p[s + 2] == UInt8(ascii: "T") { return .get }
            if p[s] == UInt8(ascii: "P") && p[s + 1] == UInt8(ascii: "U") && p[s + 2] == UInt8(ascii: "T") { return .put }
        case 4:
            if equalsExact(p, s, "POST") { return .post }
            if equalsExact(p, s, "HEAD") { return .head }
        case 5:
            if equalsExact(p, s, "PATCH") { return .patch }
        case 6:
            if equalsExact(p, s, "DELETE") { return .delete }
        case 7:
            if equalsExact(p, s, "OPTIONS") { return .options }
        default: break
        }
        return HTTPMethod(rawValue: String(decoding: UnsafeRawBufferPointer(rebasing: p[s..<e]), as: UTF8.self))
    }

    @inline(__always)
    static func equalsExact(_ p: UnsafeRawBufferPointer, _ s: Int, _ literal: StaticString) -> Bool {
        let l = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for k in 0..<l.count where p[s + k] != l[k] { return false }
        return true
    }

    /// Compares against a lowercase literal of the same length, ignoring ASCII case.
    @inline(__always)
    static func equalsLower(_ p: UnsafeRawBufferPointer, _ s: Int, _ literal: StaticString) -> Bool {
        let l = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for k in 0..<l.count where asciiLower(p[s + k]) != l[k] { return false }
        return true
    }

    static func trimOWS(_ s: Substring) -> Substring {
        var s = s
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }

    /// 1*DIGIT, or a list of identical values ("5, 5") which RFC 9110 §8.6 lets a recipient accept.
    static func parseContentLength(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) throws(ParseError) -> Int {
        var result: Int? = nil
        var i = s
        while true {
            while i < e && (p[i] == ByteClass.sp || p[i] == ByteClass.htab) { i += 1 }
            var v = 0
            var digits = 0
            while i < e && isDigit(p[i]) {
                if digits >= 18 { throw ParseError(.badRequest, "Content-Length too large") }
                v = v * 10 + Int(p[i] - 48)
                digits += 1
                i += 1
            }
            guard digits > 0 else { throw ParseError(.badRequest, "Invalid Content-Length") }
            if let r = result, r != v { throw ParseError(.badRequest, "Conflicting Content-Length values") }
            result = v
            while i < e && (p[i] == ByteClass.sp || p[i] == ByteClass.htab) { i += 1 }
            if i == e { break }
            guard p[i] == UInt8(ascii: ",") else { throw ParseError(.badRequest, "Invalid Content-Length") }
            i += 1
        }
        return result!
    }

    /// uri-host [":" port]: refuses anything that could confuse virtual hosting or logs.
    static func validateHost(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) throws(ParseError) {
        for k in s..<e {
            let b = p[k]
            let ok = (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || isDigit(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: ":")
                || b == UInt8(ascii: "[") || b == UInt8(ascii: "]") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
                || b == UInt8(ascii: "%") || b == UInt8(ascii: "!") || b == UInt8(ascii: "$") || b == UInt8(ascii: "&")
                || b == UInt8(ascii: "'") || b == UInt8(ascii: "(") || b == UInt8(ascii: ")") || b == UInt8(ascii: "*")
                || b == UInt8(ascii: "+") || b == UInt8(ascii: ",") || b == UInt8(ascii: ";") || b == UInt8(ascii: "=")
            if !ok { throw ParseError(.badRequest, "Invalid Host header") }
        }
    }

    /// `http://authority/path?query` → index of the path (or of the `?`/end when the path is empty).
    static func absoluteFormPathStart(_ p: UnsafeRawBufferPointer, _ s: Int, _ e: Int) throws(ParseError) -> Int {
        var i = s
        if e - s >= 7 && equalsLower(p, s, "http://") { i = s + 7 }
        else if e - s >= 8 && equalsLower(p, s, "https://") { i = s + 8 }
        else { throw ParseError(.badRequest, "Unsupported request-target form") }
        let authorityStart = i
        while i < e && p[i] != UInt8(ascii: "/") && p[i] != UInt8(ascii: "?") {
            if p[i] == UInt8(ascii: "@") { throw ParseError(.badRequest, "Userinfo in request target") }
            i += 1
        }
        guard i > authorityStart else { throw ParseError(.badRequest, "Empty authority in request target") }
        return i
    }
}
