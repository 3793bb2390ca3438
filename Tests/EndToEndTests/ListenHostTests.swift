import Foundation
import HTTPTestClient
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `--host` with a name: the server listens on every address the name resolves to, as users
/// expect of `localhost`, and `carewatch healthcheck` finds it by the same name.
final class ListenHostTests: EndToEndTestCase {
    /// The numeric addresses `name` resolves to, as the system's resolver gives them.
    private func addresses(of name: String) -> [(family: Int32, text: String)] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var found: [(Int32, String)] = []
        var cursor = list
        while let info = cursor {
            cursor = info.pointee.ai_next
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            let family = info.pointee.ai_family
            let raw = UnsafeRawPointer(info.pointee.ai_addr!)
            if family == AF_INET {
                var address = raw.load(as: sockaddr_in.self).sin_addr
                inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
            } else if family == AF_INET6 {
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
            } else {
                continue
            }
            let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if !found.contains(where: { $0.1 == text }) { found.append((family, text)) }
        }
        return found
    }

    /// The status of `GET /healthz` on one numeric address, or nil if nothing answers there.
    private func healthz(_ address: (family: Int32, text: String), port: Int) -> Int? {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        if address.family == AF_INET6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, address.text, &sin6.sin6_addr)
            connected = withUnsafePointer(to: &sin6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, address.text, &sin.sin_addr)
            connected = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count >= 12 else { return nil }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }

    /// Polls `/healthz` on `address` until it answers 200 (the server is starting).
    private func waitForHealthz(_ address: (family: Int32, text: String), port: Int, process: CarewatchProcess) -> Int? {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            if let status = healthz(address, port: port) { return status }
            usleep(30_000)
        }
        return nil
    }

    func testLocalhostIsServedOnEveryAddressItResolvesTo() throws {
        let localhost = addresses(of: "localhost")
        XCTAssertFalse(localhost.isEmpty, "the system resolves localhost")
        let directory = try temporaryDirectory(self, "localhost")
        let server = try launch(directory, arguments: ["--host", "localhost"])
        for address in localhost {
            XCTAssertEqual(waitForHealthz(address, port: server.port, process: server), 200, "localhost as \(address.text): \(server.stderr)")
        }
        // healthcheck asks /readyz, which turns 200 once the data is loaded.
        let deadline = Date().addingTimeInterval(60)
        var check = try runCarewatch(["healthcheck", "--host", "localhost", "--port", String(server.port)])
        while check.status != 0, Date() < deadline, check.stderr.contains("answered 503") {
            usleep(100_000)
            check = try runCarewatch(["healthcheck", "--host", "localhost", "--port", String(server.port)])
        }
        XCTAssertEqual(check.status, 0, "\(check)")
    }

    /// A name that resolves to both ::1 and 127.0.0.1, as localhost does on most systems, is
    /// served on both. The name is given its two addresses by a hosts file of the test's own,
    /// mounted over /etc/hosts for the server alone (a private mount namespace, which needs
    /// root or unshare rights, as CI has).
    func testANameOfTwoAddressesIsServedOnBoth() throws {
        let probe = try runShell(["unshare", "--mount", "true"])
        guard probe == 0 else { throw XCTSkip("unshare --mount is not permitted here") }
        let work = try temporaryDirectory(self, "dual-host")
        let hosts = work.appendingPathComponent("hosts")
        try Data("::1 carewatch-dual\n127.0.0.1 carewatch-dual\n".utf8).write(to: hosts)
        let binary = try CarewatchBinary.require()
        let port = try freePort()
        let script = "mount --bind \"$1\" /etc/hosts && exec \"$2\" serve --host carewatch-dual --port \"$3\" --data-dir \"$4\" --access-log false"
        let server = try launch(work.appendingPathComponent("data"), port: port,
                                arguments: ["--mount", "--propagation", "private", "sh", "-c", script, "sh", hosts.path, binary, String(port),
                                            work.appendingPathComponent("data").path],
                                flags: false, executable: "/usr/bin/unshare")
        for address in [(Int32(AF_INET6), "::1"), (Int32(AF_INET), "127.0.0.1")] {
            XCTAssertEqual(waitForHealthz(address, port: port, process: server), 200, "\(address.1): \(server.stderr)")
        }
        XCTAssertTrue(server.stderr.contains("listening on carewatch-dual port \(port)"), server.stderr)
    }

    private func runShell(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
