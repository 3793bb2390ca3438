import Glibc
import Foundation
import XCTest
@testable import HTTPEngine

struct ClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A deliberately dumb HTTP client on a raw blocking socket, so tests control every byte sent
/// (split writes, hostile input, half-closes) and see every byte received.
final class RawClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    struct Response {
        var status: Int
        var reason: String
        var headers: [(String, String)]
        var body: [UInt8]
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
        var bodyText: String { String(decoding: body, as: UTF8.self) }
        var closes: Bool { header("Connection")?.lowercased() == "close" }
    }

    init(port: Int, host: String = "127.0.0.1", timeout: Double = 30) throws {
        let v6 = host.contains(":")
        fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc: Int32
        if v6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &sin6.sin6_addr)
            rc = withUnsafePointer(to: &sin6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &sin.sin_addr)
            rc = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        if rc != 0 { let e = errno; Glibc.close(fd); throw ClientError("connect: \(String(cString: strerror(e)))") }
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    /// Sends one byte per write (with TCP_NODELAY each is its own segment most of the time).
    func sendByteByByte(_ text: String) {
        for b in Array(text.utf8) { send([b]); usleep(200) }
    }

    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes; false on EOF/error/timeout.
    @discardableResult
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func takeLine() -> String? {
        while true {
            if let i = indexOfCRLF() {
                let line = String(decoding: buffer[0..<i], as: UTF8.self)
                buffer.removeFirst(i + 2)
                return line
            }
            if !fill() { return nil }
        }
    }

    private func indexOfCRLF() -> Int? {
        guard buffer.count >= 2 else { return nil }
        for i in 0..<(buffer.count - 1) where buffer[i] == 13 && buffer[i + 1] == 10 { return i }
        return nil
    }

    private func take(_ n: Int) -> [UInt8]? {
        while buffer.count < n { if !fill() { return nil } }
        let out = Array(buffer[0..<n])
        buffer.removeFirst(n)
        return out
    }

    /// Reads a response's status line and headers only (for a body read chunk by chunk).
    func readHead() -> Response? {
        guard let statusLine = takeLine() else { return nil }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { return nil }
        var headers: [(String, String)] = []
        while let line = takeLine() {
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return Response(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [])
    }

    /// The next chunk of a chunked body: its bytes, [] for the last chunk, nil on EOF or garbage.
    func readChunk() -> [UInt8]? {
        guard let sizeLine = takeLine(), let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else { return nil }
        if size == 0 {
            while let trailer = takeLine(), !trailer.isEmpty {}
            return []
        }
        guard let data = take(size), takeLine() == "" else { return nil }
        return data
    }

    /// Reads one response. `head` means the request was HEAD (no body follows).
    func readResponse(head: Bool = false) -> Response? {
        guard var response = readHead() else { return nil }
        let status = response.status
        if head || status == 204 || status == 304 || status < 200 { return response }
        if let cl = response.header("Content-Length"), let n = Int(cl) {
            guard let body = take(n) else { return nil }
            response.body = body
        } else if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while true {
                guard let chunk = readChunk() else { return nil }
                if chunk.isEmpty { break }
                response.body += chunk
            }
        } else {
            while fill() {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// True when the server closed the connection (EOF) within the receive timeout.
    func isClosedByServer() -> Bool {
        while true {
            var b = [UInt8](repeating: 0, count: 4096)
            let n = b.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    /// Request helper: sends a GET/whatever and reads its answer.
    func request(_ method: String = "GET", _ target: String, headers: [String] = [], body: String? = nil) -> Response? {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: test\r\n"
        for h in headers { text += h + "\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n"
        if let body { text += body }
        send(text)
        return readResponse(head: method == "HEAD")
    }
}

extension XCTestCase {
    /// Polls a condition (every 10 ms) until it holds or the timeout passes.
    @discardableResult
    func waitUntil(_ timeout: Double = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// A server on an ephemeral port with short timeouts, shut down when the test ends.
    func startServer(_ configure: (inout ServerConfiguration) -> Void = { _ in }, router: Router) throws -> HTTPServer {
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        config.eventLoopCount = 2
        config.lingerTimeout = .milliseconds(500)
        config.drainTimeout = .seconds(2)
        configure(&config)
        let server = HTTPServer(configuration: config, router: router)
        try server.start()
        addTeardownBlock { server.shutdown(timeout: .seconds(1)) }
        return server
    }

    func startServer(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        try startServer(configure, router: TestRoutes.router())
    }

    /// Asserts the server is still healthy: a fresh connection gets a normal answer.
    func assertServerHealthy(_ server: HTTPServer, file: StaticString = #filePath, line: UInt = #line) {
        guard let c = try? RawClient(port: server.boundPort), let r = c.request("GET", "/hello") else {
            return XCTFail("server did not answer a normal request", file: file, line: line)
        }
        XCTAssertEqual(r.status, 200, file: file, line: line)
        XCTAssertEqual(r.bodyText, "hello", file: file, line: line)
    }
}

enum TestRoutes {
    static func router() -> Router {
        var router = Router()
        router.add(.get, "/hello") { _, r in
            r.respond(HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: .bytes(Array("hello".utf8))))
        }
        router.add(.post, "/echo") { req, r in
            r.respond(HTTPResponse(status: .ok, body: .bytes(req.body)))
        }
        router.add(.put, "/echo") { req, r in
            r.respond(HTTPResponse(status: .ok, body: .bytes(req.body)))
        }
        router.add(.post, "/small", bodyLimit: 10) { req, r in
            r.respond(HTTPResponse(status: .ok, body: .bytes(req.body)))
        }
        router.add(.get, "/items/{id}") { req, r in
            let text = "item=\(req.pathParameters["id"] ?? "?") path=\(req.path) q=\(req.query["q"] ?? "-") pattern=\(req.routePattern ?? "-")"
            r.respond(HTTPResponse(status: .ok, body: .bytes(Array(text.utf8))))
        }
        router.add(.delete, "/items/{id}") { _, r in r.respond(HTTPResponse(status: .noContent)) }
        router.add(.get, "/async") { _, r in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) {
                r.respond(HTTPResponse(status: .ok, body: .bytes(Array("later".utf8))))
            }
        }
        router.add(.get, "/slow") { req, r in
            let ms = Int(req.query["ms"] ?? "200") ?? 200
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms)) {
                r.respond(HTTPResponse(status: .ok, body: .bytes(Array("slow".utf8))))
            }
        }
        router.add(.get, "/stream") { req, r in
            let count = Int(req.query["chunks"] ?? "5") ?? 5
            let size = Int(req.query["size"] ?? "10") ?? 10
            let counter = Counter()
            r.respond(HTTPResponse(status: .ok, body: .stream(ChunkSource {
                let i = counter.next()
                guard i < count else { return nil }
                return [UInt8](repeating: UInt8(ascii: "a") + UInt8(i % 26), count: size)
            })))
        }
        router.add(.get, "/big") { req, r in
            let size = Int(req.query["size"] ?? "100000") ?? 100000
            r.respond(HTTPResponse(status: .ok, body: .bytes([UInt8](repeating: UInt8(ascii: "x"), count: size))))
        }
        router.add(.get, "/request-info") { req, r in
            let text = "\(req.method.rawValue) \(req.target) v=\(req.version.minor) id=\(req.requestID) peer=\(req.remoteAddress.hasPrefix("127.0.0.1:"))"
            r.respond(HTTPResponse(status: .ok, body: .bytes(Array(text.utf8))))
        }
        return router
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; let v = value; value += 1; return v }
}
