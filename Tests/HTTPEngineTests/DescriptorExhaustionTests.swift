import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// Running out of file descriptors must neither spin the CPU (the listening socket stays
/// readable while accept fails) nor stop the server: open connections keep being served and
/// accepting resumes once descriptors are free again.
final class DescriptorExhaustionTests: XCTestCase {
    func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    func testEMFILEBacksOffAndRecovers() throws {
        let server = try startServer()
        let existing = try RawClient(port: server.boundPort)
        XCTAssertEqual(existing.request("GET", "/hello")?.status, 200)

        var original = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &original)
        var limited = original
        limited.rlim_cur = rlim_t(openDescriptorCount() + 8)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limited), 0)
        var restored = false
        defer { if !restored { var o = original; setrlimit(Int32(RLIMIT_NOFILE.rawValue), &o) } }

        // Fill the table with client sockets: their connections complete in the kernel's backlog
        // but the server cannot accept them.
        var pending: [RawClient] = []
        while let c = try? RawClient(port: server.boundPort, timeout: 1) { pending.append(c); if pending.count > 50 { break } }
        XCTAssertGreaterThan(pending.count, 0)

        let cpuBefore = cpuSeconds()
        usleep(400_000)
        let cpuUsed = cpuSeconds() - cpuBefore
        XCTAssertLessThan(cpuUsed, 0.25, "accept loop must not spin while out of descriptors (a spin burns ~0.4 s here)")

        // The already-open connection is still served.
        XCTAssertEqual(existing.request("GET", "/hello")?.status, 200)

        // Free descriptors: the waiting connections get accepted and answered.
        var o = original
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &o)
        restored = true
        for c in pending { XCTAssertEqual(c.request("GET", "/hello")?.status, 200) }
        assertServerHealthy(server)
    }
}
