import HexEncoding

/// How a response body travels: nothing, a known-length buffer, chunks the engine pulls when
/// the socket has room (an export), or chunks the handler pushes as they happen (an event stream).
public enum ResponseBody: Sendable {
    case empty
    case bytes([UInt8])
    case stream(ChunkSource)
    case push(ResponseStream)

    /// The length when known up front (nil for a stream).
    public var knownLength: Int? {
        switch self {
        case .empty: return 0
        case .bytes(let b): return b.count
        case .stream, .push: return nil
        }
    }
}

/// A pull-based body: the engine calls `next` only when the socket has drained the previous chunk,
/// so a slow client never makes the server buffer a whole export in memory.
public final class ChunkSource: Sendable {
    let next: @Sendable () -> [UInt8]?
    public init(_ next: @escaping @Sendable () -> [UInt8]?) { self.next = next }
    public func nextChunk() -> [UInt8]? { next() }
}

public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: ResponseBody

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: ResponseBody = .empty) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// RFC 9457 problem details with `application/problem+json` (see `ProblemDetails` for more members).
    public static func problem(_ status: HTTPStatus, detail: String? = nil) -> HTTPResponse {
        ProblemDetails(status, detail: detail).response
    }

    /// A JSON response from bytes already encoded by the caller.
    public static func json(_ bytes: [UInt8], status: HTTPStatus = .ok) -> HTTPResponse {
        var headers = HTTPHeaders(reservingCapacity: 2)
        headers.add("Content-Type", "application/json")
        return HTTPResponse(status: status, headers: headers, body: .bytes(bytes))
    }
}

/// JSON string with the escapes RFC 8259 requires; used for problem bodies and log lines.
/// Runs of bytes that need no escape (nearly always the whole string) are copied at once.
func appendJSONString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var s = s
    s.withUTF8 { u in
        var start = 0
        for i in 0..<u.count {
            let b = u[i]
            if b >= 0x20 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") && b != 0x7F { continue }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: u[start..<i]))
            start = i + 1
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            default:
                out.append(contentsOf: "\\u".utf8)
                Hex.append(b, minimumDigits: 4, to: &out)
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: u[start...]))
    }
    out.append(UInt8(ascii: "\""))
}

@inline(__always)
func appendDecimal(_ value: Int, to out: inout [UInt8]) {
    if value < 0 { out.append(UInt8(ascii: "-")); appendDecimal(0 &- value, to: &out); return }
    if value < 10 { out.append(UInt8(truncatingIfNeeded: value) &+ 48); return }
    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                 UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var n = value
    var count = 0
    withUnsafeMutableBytes(of: &digits) { d in
        while n > 0 { d[19 - count] = UInt8(truncatingIfNeeded: n % 10) &+ 48; n /= 10; count += 1 }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(20 - count)...]))
    }
}
