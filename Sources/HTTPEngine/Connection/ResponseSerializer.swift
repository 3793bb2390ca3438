import HexEncoding

/// Writes a response head as bytes. Framing and connection headers are always the engine's own,
/// so a handler cannot produce a response whose length disagrees with its body.
enum ResponseSerializer {
    static func writeHead(status: HTTPStatus, headers: HTTPHeaders, body: ResponseBody, bodyForbidden: Bool,
                          chunked: Bool, close: Bool, http10: Bool, date: [UInt8], server: [UInt8]?,
                          into out: inout [UInt8]) {
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status.code, to: &out)
        out.append(0x20)
        appendSanitized(status.reasonPhrase, to: &out)
        out.append(0x0D); out.append(0x0A)
        var hasDate = false
        var hasServer = false
        for field in headers {
            let name = field.name
            switch name.utf8.count {
            case 4 where asciiCaseInsensitiveEquals(name, "date"): hasDate = true
            case 6 where asciiCaseInsensitiveEquals(name, "server"): hasServer = true
            case 10 where asciiCaseInsensitiveEquals(name, "connection"): continue
            case 14 where asciiCaseInsensitiveEquals(name, "content-length"): continue
            case 17 where asciiCaseInsensitiveEquals(name, "transfer-encoding"): continue
            default: break
            }
            appendSanitized(name, to: &out)
            out.append(UInt8(ascii: ":")); out.append(0x20)
            appendSanitized(field.value, to: &out)
            out.append(0x0D); out.append(0x0A)
        }
        if !hasDate { out.append(contentsOf: date) }
        if !hasServer, let server { out.append(contentsOf: server) }
        if !bodyForbidden {
            if let length = body.knownLength {
                out.append(contentsOf: "Content-Length: ".utf8)
                appendDecimal(length, to: &out)
                out.append(0x0D); out.append(0x0A)
            } else if chunked {
                out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8)
            }
        }
        if close {
            out.append(contentsOf: "Connection: close\r\n".utf8)
        } else if http10 {
            out.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        out.append(0x0D); out.append(0x0A)
    }

    /// Header text from handlers must not be able to inject lines: CR, LF and NUL become spaces.
    @inline(__always)
    static func appendSanitized(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { u in
            if !hasControlByte(UnsafeRawBufferPointer(u)) {
                out.append(contentsOf: u)
            } else {
                for b in u { out.append(b < 0x20 && b != 0x09 ? 0x20 : b) }
            }
        }
    }

    /// Whether any byte is below 0x20 (tab counts: the slow path keeps it), eight bytes at a
    /// time: every header of every answer passes through here.
    @inline(__always)
    static func hasControlByte(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // A borrow reaches a byte's top bit only below a byte that is itself under 0x20,
            // so "some byte is under 0x20" is exact (the classic has-less-than test).
            if (word &- ones &* 0x20) & ~word & highs != 0 { return true }
            i += 8
        }
        while i < bytes.count {
            if bytes[i] < 0x20 { return true }
            i += 1
        }
        return false
    }

    /// A chunk size: lowercase hex, no leading zeros.
    static func appendHex(_ value: Int, to out: inout [UInt8]) {
        Hex.append(UInt(value), to: &out)
    }
}
