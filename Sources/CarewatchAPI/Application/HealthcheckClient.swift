import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `carewatch healthcheck`: container images carry no curl, so the binary asks its own
/// server for `/readyz` over a plain socket and exits 0 only on `200`.
enum HealthcheckClient {
    static func check(_ target: HealthcheckTarget) -> Int32 {
        switch fetchStatus(target) {
        case .success(200):
            return 0
        case .success(let status):
            FileHandle.standardError.write(Data("carewatch healthcheck: \(target.path) answered \(status)\n".utf8))
            return 1
        case .failure(let message):
            FileHandle.standardError.write(Data("carewatch healthcheck: \(message)\n".utf8))
            return 1
        }
    }

    enum Outcome { case success(Int), failure(String) }

    static func fetchStatus(_ target: HealthcheckTarget) -> Outcome {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let host = HealthcheckTarget.connectHost(forListenHost: target.host)
        let resolved = getaddrinfo(host, String(target.port), &hints, &list)
        guard resolved == 0, list != nil else {
            return .failure("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        // A name may stand for several addresses (localhost: ::1 and 127.0.0.1): the first
        // that accepts the connection is asked, as any client would.
        var fd: Int32 = -1
        var failure = "no address"
        var cursor = list
        while let info = cursor, fd < 0 {
            cursor = info.pointee.ai_next
            let candidate = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard candidate >= 0 else {
                failure = String(cString: strerror(errno))
                continue
            }
            var timeout = timeval(tv_sec: Int(target.timeout), tv_usec: Int((target.timeout - Double(Int(target.timeout))) * 1_000_000))
            setsockopt(candidate, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(candidate, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if connect(candidate, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                fd = candidate
            } else {
                failure = String(cString: strerror(errno))
                close(candidate)
            }
        }
        guard fd >= 0 else { return .failure("cannot connect to \(host) port \(target.port): \(failure)") }
        defer { close(fd) }
        let authority = host.contains(":") ? "[\(host)]" : host
        let request = "GET \(target.path) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n\r\n"
        let sent = request.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        guard sent == request.utf8.count else { return .failure("could not send the request") }
        var buffer = [UInt8](repeating: 0, count: 256)
        var received: [UInt8] = []
        while received.count < 12 {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            received += buffer[0..<count]
        }
        // "HTTP/1.1 200 …": the status is the second token of the status line.
        let line = String(decoding: received.prefix(while: { $0 != UInt8(ascii: "\r") }), as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            return .failure("no HTTP answer from \(host) port \(target.port)")
        }
        return .success(status)
    }
}
