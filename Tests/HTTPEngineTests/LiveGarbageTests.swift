import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// Seeded random garbage and mangled requests over real sockets: whatever arrives, every
/// connection gets an answer or a close, and the server keeps serving.
final class LiveGarbageTests: XCTestCase {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testRandomInputNeverHurtsTheServer() throws {
        let server = try startServer { $0.headerTimeout = .milliseconds(500); $0.bodyTimeout = .milliseconds(500); $0.idleTimeout = .milliseconds(500) }
        var rng = SplitMix(state: 20261123)
        let valid = Array("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\nGET /items/%41?q=1 HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        for round in 0..<150 {
            let c = try RawClient(port: server.boundPort, timeout: 2)
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<Int.random(in: 1...600, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1:
                bytes = valid
                for _ in 0..<Int.random(in: 1...6, using: &rng) {
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[i] = [0, 0x0D, 0x0A, 0x20, 0x3A, 0x25, 0x7F, 0xFF, UInt8(ascii: "9")].randomElement(using: &rng)!
                }
            default:
                bytes = Array(valid[0..<Int.random(in: 1..<valid.count, using: &rng)])
            }
            c.send(bytes)
            c.shutdownWrite()
            // an answer or a close, never a hang: the receive timeout (2 s) would fail this
            while let r = c.readResponse() { XCTAssertTrue((100...599).contains(r.status)) }
        }
        assertServerHealthy(server)
        XCTAssertTrue(waitUntil { server.openConnections == 0 })
    }
}
