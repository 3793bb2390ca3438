import Glibc
import HexEncoding
import Synchronization

/// Gives every request an id for correlating logs: a sane client-supplied `X-Request-Id` is kept
/// (so ids flow through proxies), anything else is replaced by a generated one.
public struct RequestIDMiddleware: HTTPMiddleware {
    public init() {}

    public func handle(_ request: consuming HTTPRequest, _ responder: Responder, next: HTTPHandler) {
        let id: String
        if let given = request.headers["X-Request-Id"], RequestIDMiddleware.isSane(given) {
            id = given
        } else {
            id = RequestIDGenerator.shared.next()
        }
        request.requestID = id
        next(request, Responder { response in
            var response = response
            if response.headers.contains("X-Request-Id") {
                response.headers.set("X-Request-Id", id)
            } else {
                response.headers.add("X-Request-Id", id)
            }
            responder.respond(response)
        })
    }

    /// 1...128 visible ASCII characters: nothing that could split a log line or a header.
    public static func isSane(_ id: String) -> Bool {
        let u = id.utf8
        guard !u.isEmpty, u.count <= 128 else { return false }
        for b in u where b < 0x21 || b > 0x7E || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
        return true
    }
}

/// A random per-process prefix plus a counter: unique, unguessable enough for correlation, and
/// costs one atomic add instead of a random-number syscall per request.
final class RequestIDGenerator: Sendable {
    static let shared = RequestIDGenerator()
    let prefix: [UInt8]
    let counter = Atomic<UInt64>(0)

    init() {
        var g = SystemRandomNumberGenerator()
        let r = g.next() as UInt64
        var p = [UInt8]()
        Hex.append(r, minimumDigits: 16, to: &p)
        prefix = p
    }

    func next() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var out = prefix
        out.append(UInt8(ascii: "-"))
        Hex.append(n, minimumDigits: 8, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
