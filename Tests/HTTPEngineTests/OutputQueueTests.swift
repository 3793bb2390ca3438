import XCTest
import Glibc
@testable import HTTPEngine

/// The write path on a socketpair: small pieces coalesce into one send, large bodies go as their
/// own segment, and a partial write resumes exactly where it stopped.
final class OutputQueueTests: XCTestCase {
    func pair() -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        return (fds[0], fds[1])
    }

    func readAvailable(_ fd: Int32) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return n > 0 ? Array(buf[0..<n]) : []
    }

    func testSmallPiecesLeaveInOneSend() {
        let (w, r) = pair()
        defer { close(w); close(r) }
        var q = OutputQueue()
        var spare: [UInt8] = []
        q.append(Array("HTTP/1.1 200 OK\r\n\r\n".utf8), spare: &spare)
        q.append(Array("HTTP/1.1 201 Created\r\n\r\n".utf8), spare: &spare)
        q.write(spare: &spare) { $0.append(contentsOf: "HTTP/1.1 204 No Content\r\n\r\n".utf8) }
        XCTAssertEqual(q.segments.count, 1, "pipelined answers share one buffer")
        guard case .drained = q.flush(fd: w, spare: &spare) else { return XCTFail() }
        XCTAssertEqual(String(decoding: readAvailable(r), as: UTF8.self),
                       "HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 201 Created\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertTrue(q.isEmpty)
    }

    func testPartialWritesResumeInOrder() {
        let (w, r) = pair()
        defer { close(w); close(r) }
        var small: Int32 = 4096
        setsockopt(w, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var q = OutputQueue()
        var spare: [UInt8] = []
        var expected: [UInt8] = []
        let head = Array("head-".utf8)
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let tail = Array("-tail".utf8)
        q.append(head, spare: &spare); expected += head
        q.appendSegment(big); expected += big
        q.append(tail, spare: &spare); expected += tail
        XCTAssertEqual(q.segments.count, 3)
        var received: [UInt8] = []
        var rounds = 0
        while true {
            let result = q.flush(fd: w, spare: &spare)
            received += readAvailable(r)
            rounds += 1
            if case .drained = result { break }
            if case .failed = result { return XCTFail("send failed") }
            XCTAssertLessThan(rounds, 10_000)
        }
        while received.count < expected.count {
            let more = readAvailable(r)
            if more.isEmpty { break }
            received += more
        }
        XCTAssertGreaterThan(rounds, 1, "the small buffer forces partial writes")
        XCTAssertEqual(received.count, expected.count)
        XCTAssertTrue(received == expected)
        XCTAssertEqual(q.pendingBytes, 0)
    }

    func testSendToClosedPeerFailsWithoutSIGPIPE() {
        let (w, r) = pair()
        close(r)
        defer { close(w) }
        var q = OutputQueue()
        var spare: [UInt8] = []
        q.append(Array("x".utf8), spare: &spare)
        guard case .failed = q.flush(fd: w, spare: &spare) else { return XCTFail("expected failure") }
    }

    func testSerializerFraming() {
        var out: [UInt8] = []
        ResponseSerializer.writeHead(status: .noContent, headers: HTTPHeaders([("X", "1")]), body: .empty, bodyForbidden: true,
                                     chunked: false, close: false, http10: false, date: Array("Date: d\r\n".utf8), server: nil, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "HTTP/1.1 204 No Content\r\nX: 1\r\nDate: d\r\n\r\n")
        out = []
        ResponseSerializer.writeHead(status: .ok, headers: HTTPHeaders(), body: .bytes([1, 2, 3]), bodyForbidden: false,
                                     chunked: false, close: false, http10: true, date: [], server: Array("Server: s\r\n".utf8), into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "HTTP/1.1 200 OK\r\nServer: s\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n")
        out = []
        ResponseSerializer.writeHead(status: .ok, headers: HTTPHeaders(), body: .stream(ChunkSource { nil }), bodyForbidden: false,
                                     chunked: true, close: true, http10: false, date: [], server: nil, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        var hex: [UInt8] = []
        ResponseSerializer.appendHex(0x1a2b, to: &hex)
        XCTAssertEqual(String(decoding: hex, as: UTF8.self), "1a2b")
    }

    /// A handler's header text cannot add lines: CR, LF, NUL and other control bytes become
    /// spaces wherever they fall in the eight-byte words the check reads; tabs and UTF-8 stay.
    func testHeaderValuesLoseControlBytesAtEveryPosition() {
        let base = Array("abcdefghijklmnopqrstuvwxyzé0123".utf8)
        for position in base.indices {
            for control: UInt8 in [0x00, 0x0A, 0x0D, 0x1F] {
                var bytes = base
                bytes[position] = control
                var out: [UInt8] = []
                ResponseSerializer.appendSanitized(String(decoding: bytes, as: UTF8.self), to: &out)
                XCTAssertFalse(out.contains { $0 < 0x20 }, "control byte at \(position): \(out)")
                XCTAssertTrue(bytes.withUnsafeBytes { ResponseSerializer.hasControlByte($0) }, "found at \(position)")
            }
        }
        var out: [UInt8] = []
        ResponseSerializer.appendSanitized("a\tb é ÿ\u{7F}", to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "a\tb é ÿ\u{7F}")
        XCTAssertFalse(Array("no control bytes here, é ÿ \u{7F}".utf8).withUnsafeBytes { ResponseSerializer.hasControlByte($0) })
    }

    func testDateLineFormat() {
        XCTAssertEqual(String(decoding: DateCache.format(784111777), as: UTF8.self), "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
    }
}
