import Glibc
import Synchronization

/// One JSON line per request, written when the response is handed to the engine. Only the
/// method, path (no query: it may carry tokens), status, size, timing, id and peer are logged,
/// never header values such as Authorization.
public struct AccessLogMiddleware: HTTPMiddleware {
    let sink: LogSink

    public init(sink: LogSink = .standardOutput) { self.sink = sink }

    public func handle(_ request: consuming HTTPRequest, _ responder: Responder, next: HTTPHandler) {
        let start = monotonicNanos()
        let method = request.method
        let path = request.path
        let peer = request.remoteAddress
        let requestID = request.requestID
        let sink = self.sink
        next(request, Responder { response in
            let durationMs = Double(monotonicNanos() &- start) / 1_000_000
            let bytes = response.body.knownLength ?? -1
            let id = response.headers["X-Request-Id"] ?? requestID
            var line = [UInt8]()
            line.reserveCapacity(200 + path.utf8.count)
            line.append(contentsOf: #"{"time":""#.utf8)
            appendRFC3339Now(to: &line)
            line.append(contentsOf: #"","method":"#.utf8)
            appendJSONString(method.rawValue, to: &line)
            line.append(contentsOf: #","path":"#.utf8)
            appendJSONString(path, to: &line)
            line.append(contentsOf: #","status":"#.utf8)
            appendDecimal(response.status.code, to: &line)
            line.append(contentsOf: #","bytes":"#.utf8)
            appendDecimal(bytes, to: &line)
            line.append(contentsOf: #","duration_ms":"#.utf8)
            appendMillis(durationMs, to: &line)
            line.append(contentsOf: #","request_id":"#.utf8)
            appendJSONString(id, to: &line)
            line.append(contentsOf: #","peer":"#.utf8)
            appendJSONString(peer, to: &line)
            line.append(UInt8(ascii: "}"))
            sink.write(line: line)
            responder.respond(response)
        })
    }
}

/// Milliseconds with three decimals, without Foundation's number formatting.
func appendMillis(_ ms: Double, to out: inout [UInt8]) {
    let micros = Int((ms * 1000).rounded())
    appendDecimal(micros / 1000, to: &out)
    out.append(UInt8(ascii: "."))
    let frac = micros % 1000
    if frac < 100 { out.append(UInt8(ascii: "0")) }
    if frac < 10 { out.append(UInt8(ascii: "0")) }
    appendDecimal(frac, to: &out)
}

/// `2026-11-23T10:00:00.123Z` from the real-time clock. The part up to the seconds is formatted
/// once a second and shared, so a log line costs no calendar arithmetic.
func appendRFC3339Now(to out: inout [UInt8]) {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    out.append(contentsOf: RFC3339Seconds.shared.prefix(for: ts.tv_sec))
    let ms = Int32(ts.tv_nsec / 1_000_000)
    out.append(UInt8(ms / 100) + 48)
    out.append(UInt8(ms / 10 % 10) + 48)
    out.append(UInt8(ms % 10) + 48)
    out.append(UInt8(ascii: "Z"))
}

/// `2026-11-23T10:00:00.` for the current second.
final class RFC3339Seconds: Sendable {
    static let shared = RFC3339Seconds()
    private let cache = Mutex<(second: Int, prefix: [UInt8])>((-1, []))

    func prefix(for second: Int) -> [UInt8] {
        cache.withLock { c in
            if c.second != second {
                c.second = second
                c.prefix = RFC3339Seconds.format(second)
            }
            return c.prefix
        }
    }

    static func format(_ second: Int) -> [UInt8] {
        var t = second
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        var out: [UInt8] = []
        func two(_ v: Int32) { out.append(UInt8(v / 10) + 48); out.append(UInt8(v % 10) + 48) }
        appendDecimal(Int(tm.tm_year) + 1900, to: &out)
        out.append(UInt8(ascii: "-")); two(tm.tm_mon + 1)
        out.append(UInt8(ascii: "-")); two(tm.tm_mday)
        out.append(UInt8(ascii: "T")); two(tm.tm_hour)
        out.append(UInt8(ascii: ":")); two(tm.tm_min)
        out.append(UInt8(ascii: ":")); two(tm.tm_sec)
        out.append(UInt8(ascii: "."))
        return out
    }
}
