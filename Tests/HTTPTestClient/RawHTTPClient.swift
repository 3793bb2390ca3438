import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately small HTTP/1.1 client on plain sockets. URLSession would hide exactly what
/// these tests check (framing, chunked bodies, bodies on HEAD/304, connections closed by the
/// server), and it cannot send malformed or unfinished requests at all.
public struct RawHTTPResponse: CustomStringConvertible {
    public var status: Int
    public var reason: String
    public var version: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whether the body arrived with `Transfer-Encoding: chunked`.
    public var wasChunked: Bool

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON (Foundation types); nil when it is not JSON.
    public var json: Any? {
        guard !body.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }

    public var object: [String: Any] { json as? [String: Any] ?? [:] }

    /// `data` of a list envelope.
    public var items: [[String: Any]] { object["data"] as? [[String: Any]] ?? [] }

    public var mediaType: String? {
        header("Content-Type")?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    public var description: String {
        "HTTP \(status) \(reason) \(headers.map { "\($0.name): \($0.value)" }) body: \(text.prefix(600))"
    }
}

public enum RawHTTPError: Error, CustomStringConvertible {
    case connect(String)
    case closedBeforeResponse([UInt8])
    case malformed(String)
    case timeout

    public var description: String {
        switch self {
        case .connect(let why): return "connect: \(why)"
        case .closedBeforeResponse(let bytes): return "connection closed before a full response (\(bytes.count) bytes: \(String(decoding: bytes.prefix(200), as: UTF8.self)))"
        case .malformed(let why): return "malformed response: \(why)"
        case .timeout: return "timed out waiting for the server"
        }
    }
}

/// One TCP connection to 127.0.0.1. Several requests may be sent on it (keep-alive).
public final class RawHTTPConnection {
    public private(set) var fd: Int32
    private var buffer: [UInt8] = []
    public private(set) var peerClosed = false

    /// - Parameter receiveBuffer: the socket's receive buffer in bytes, set before it connects
    ///   (so the window the server sees is small too): a client that reads slowly.
    public init(port: Int, host: String = "127.0.0.1", timeout: Double = 15, receiveBuffer: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError.connect("socket: \(String(cString: strerror(errno)))") }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            fd = -1
            throw RawHTTPError.connect("\(host):\(port): \(message)")
        }
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    public func setReceiveTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends everything; returns false when the peer is gone (EPIPE/ECONNRESET).
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 {
                if sent < 0, errno == EINTR { continue }
                return false
            }
            offset += sent
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer += chunk[0..<count]
                return true
            }
            if count == 0 { peerClosed = true; return false }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw RawHTTPError.timeout }
            // ECONNRESET and friends: the server is gone.
            peerClosed = true
            return false
        }
    }

    /// Everything until the server closes the connection (for answers that end the connection).
    public func readToEnd() throws -> [UInt8] {
        while try fill() {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// Waits until the server closes the connection; true when it did, false on timeout.
    public func waitForClose() -> Bool {
        do {
            while try fill() {}
            return true
        } catch {
            return false
        }
    }

    /// Reads one response. `method` matters because a HEAD answer has no body whatever its headers say.
    public func readResponse(method: String = "GET") throws -> RawHTTPResponse {
        var response = try readHead()
        let status = response.status
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) {
            return response
        }
        if let encoding = response.header("Transfer-Encoding"), encoding.lowercased().contains("chunked") {
            response.wasChunked = true
            response.body = try readChunked()
        } else if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText) else { throw RawHTTPError.malformed("Content-Length '\(lengthText)'") }
            while buffer.count < length {
                guard try fill() else { throw RawHTTPError.closedBeforeResponse(buffer) }
            }
            response.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else {
            response.body = try readToEnd()
        }
        return response
    }

    /// Reads a response's status line and headers only, leaving its body to be read (an
    /// event stream's chunks, with `readChunk`).
    public func readHead() throws -> RawHTTPResponse {
        var headEnd: Int?
        while true {
            if let end = RawHTTPConnection.find([13, 10, 13, 10], in: buffer) { headEnd = end; break }
            guard try fill() else { throw RawHTTPError.closedBeforeResponse(buffer) }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw RawHTTPError.malformed("status line '\(statusLine)'")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw RawHTTPError.malformed("header line '\(line)'") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return RawHTTPResponse(status: status, reason: parts.count > 2 ? String(parts[2]) : "", version: String(parts[0]),
                               headers: headers, body: [], wasChunked: false)
    }

    /// One chunk of a chunked body; empty for the last (zero-size) chunk.
    public func readChunk() throws -> [UInt8] {
        let sizeLine = try readLine()
        let sizeText = sizeLine.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard let size = Int(sizeText, radix: 16) else { throw RawHTTPError.malformed("chunk size '\(sizeLine)'") }
        if size == 0 {
            while try !readLine().isEmpty {}
            return []
        }
        while buffer.count < size + 2 {
            guard try fill() else { throw RawHTTPError.closedBeforeResponse(buffer) }
        }
        let chunk = Array(buffer[0..<size])
        guard buffer[size] == 13, buffer[size + 1] == 10 else { throw RawHTTPError.malformed("chunk not followed by CRLF") }
        buffer.removeFirst(size + 2)
        return chunk
    }

    private func readLine() throws -> String {
        while true {
            if let end = RawHTTPConnection.find([13, 10], in: buffer) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            guard try fill() else { throw RawHTTPError.closedBeforeResponse(buffer) }
        }
    }

    private func readChunked() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let chunk = try readChunk()
            if chunk.isEmpty { return body }
            body += chunk
        }
    }

    public static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0] {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }

    /// Builds a request with Host and, for bodies, Content-Length (unless the caller framed it).
    public static func requestBytes(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil) -> [UInt8] {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let framed = headers.contains { ["content-length", "transfer-encoding"].contains($0.0.lowercased()) }
        if let body, !framed { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + (body ?? [])
    }

    /// One request, one response, on this connection.
    public func exchange(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> RawHTTPResponse {
        guard send(RawHTTPConnection.requestBytes(method, target, headers: headers, body: body)) else {
            throw RawHTTPError.closedBeforeResponse([])
        }
        return try readResponse(method: method)
    }
}

/// Requests on fresh connections, one per request, so that a test never depends on what an
/// earlier exchange left on a connection.
public struct RawHTTPClient {
    public var port: Int
    public var timeout: Double = 20

    public init(port: Int, timeout: Double = 20) {
        self.port = port
        self.timeout = timeout
    }

    public func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> RawHTTPResponse {
        let connection = try RawHTTPConnection(port: port, timeout: timeout)
        defer { connection.close() }
        return try connection.exchange(method, target, headers: headers + [("Connection", "close")], body: body)
    }
}

/// JSON text for a request body from Foundation values (keys sorted so bodies are stable).
public func jsonBytes(_ value: Any) -> [UInt8] {
    Array(try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]))
}
