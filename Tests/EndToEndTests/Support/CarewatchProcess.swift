import Foundation
import HTTPTestClient
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Finds the `carewatch` executable these tests run: `CAREWATCH_BINARY` if set, else the one
/// built beside the test bundle (same products directory, whatever the scratch path), else
/// the package's default `.build/debug/carewatch`.
enum CarewatchBinary {
    static let path: String? = {
        let fileManager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["CAREWATCH_BINARY"], !explicit.isEmpty {
            return explicit
        }
        var directories: [URL] = []
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(URL(fileURLWithPath: Bundle.main.bundlePath))
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directories.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent())
        }
        if let argument = CommandLine.arguments.first(where: { $0.contains(".xctest") }) {
            var url = URL(fileURLWithPath: argument)
            while url.path != "/" && !url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
            directories.append(url.deletingLastPathComponent())
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        directories.append(packageRoot.appendingPathComponent(".build/debug"))
        for directory in directories {
            let candidate = directory.appendingPathComponent("carewatch").path
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               fileManager.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }()

    static func require() throws -> String {
        guard let path else {
            throw XCTSkip("carewatch binary not found next to the test bundle; build it or set CAREWATCH_BINARY")
        }
        return path
    }
}

/// A free TCP port on loopback: bind to port 0, read the port, close. The real binary cannot
/// report an ephemeral port to us, so we choose one; a race with another process is possible
/// but rare, and a start failure then says "address in use" clearly.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw RawHTTPError.connect("socket") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
            guard bind(fd, pointer, length) == 0 else { return -1 }
            return getsockname(fd, pointer, &length)
        }
    }
    guard bound == 0 else { throw RawHTTPError.connect("bind: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A temporary directory removed by the owning test's teardown.
func temporaryDirectory(_ test: XCTestCase, _ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("carewatch-e2e-\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The result of a `carewatch` command that runs to completion.
struct CommandResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\nstdout: \(stdout.prefix(2000))\nstderr: \(stderr.prefix(2000))" }
}

/// Runs `carewatch ARGS` to completion (killed after `timeout`), capturing both streams in files
/// so a chatty process can never block on a full pipe.
func runCarewatch(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) throws -> CommandResult {
    let binary = try CarewatchBinary.require()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("carewatch-cmd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CAREWATCH_") }
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTFail("carewatch \(arguments) did not finish within \(timeout) s")
    }
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}

/// `carewatch serve` as a child process on a chosen loopback port.
final class CarewatchProcess {
    static let apiKey = "e2e-key"
    let process = Process()
    let port: Int
    let dataDirectory: URL
    private let logDirectory: URL
    private(set) var exited = false

    /// Starts the process; does not wait for readiness (see `waitUntilReady`).
    /// - Parameters:
    ///   - flags: false passes only `arguments` (settings then come from `environment`).
    ///   - executable: runs this instead of the binary (a wrapper that execs it).
    init(dataDirectory: URL, port: Int? = nil, arguments: [String] = [], environment: [String: String] = [:], flags: Bool = true,
         executable: String? = nil) throws {
        let binary = try executable ?? CarewatchBinary.require()
        self.port = try port ?? freePort()
        self.dataDirectory = dataDirectory
        logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("carewatch-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: logDirectory.appendingPathComponent("stdout").path, contents: nil)
        _ = FileManager.default.createFile(atPath: logDirectory.appendingPathComponent("stderr").path, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = flags
            ? ["serve", "--host", "127.0.0.1", "--port", String(self.port), "--data-dir", dataDirectory.path, "--access-log", "false"] + arguments
            : arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CAREWATCH_") }
        env["CAREWATCH_API_KEYS"] = CarewatchProcess.apiKey
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: logDirectory.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: logDirectory.appendingPathComponent("stderr"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        killHard()
        try? FileManager.default.removeItem(at: logDirectory)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var client: RawHTTPClient { RawHTTPClient(port: port, timeout: 20) }

    var stderr: String { (try? String(contentsOf: logDirectory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }
    var stdout: String { (try? String(contentsOf: logDirectory.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }

    /// Polls `/readyz` until 200; throws if the process exits first or the deadline passes.
    func waitUntilReady(timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning {
                throw RawHTTPError.malformed("carewatch exited with \(process.terminationStatus) before it was ready:\n\(stderr)")
            }
            if let response = try? RawHTTPClient(port: port, timeout: 2).request("GET", "/readyz"), response.status == 200 {
                return
            }
            usleep(30_000)
        }
        throw RawHTTPError.malformed("carewatch was not ready within \(timeout) s:\n\(stderr)")
    }

    /// Waits for the process to end by itself; nil when it is still running at the deadline.
    @discardableResult
    func waitForExit(timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { return nil }
        process.waitUntilExit()
        exited = true
        return process.terminationStatus
    }

    /// False while it runs (Foundation traps on a running process's termination reason).
    var terminatedBySignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// SIGKILL and reap: no chance to flush anything.
    func killHard() {
        guard !exited else { return }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        exited = true
    }

    /// SIGTERM and wait; returns the exit status (nil if it had to be killed).
    @discardableResult
    func terminate(timeout: Double = 30) -> Int32? {
        signal(SIGTERM)
        let status = waitForExit(timeout: timeout)
        if status == nil { killHard() }
        return status
    }
}

/// Base class: every child process started through it is killed at teardown, pass or fail.
class EndToEndTestCase: XCTestCase {
    private var processes: [CarewatchProcess] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        _ = try CarewatchBinary.require()
    }

    override func tearDown() {
        for process in processes { process.killHard() }
        processes.removeAll()
        super.tearDown()
    }

    func launch(_ dataDirectory: URL, port: Int? = nil, arguments: [String] = [], environment: [String: String] = [:], flags: Bool = true,
                executable: String? = nil) throws -> CarewatchProcess {
        let process = try CarewatchProcess(dataDirectory: dataDirectory, port: port, arguments: arguments, environment: environment, flags: flags,
                                           executable: executable)
        processes.append(process)
        return process
    }

    /// Launches and waits for `/readyz`.
    func start(_ dataDirectory: URL, arguments: [String] = []) throws -> CarewatchProcess {
        let process = try launch(dataDirectory, arguments: arguments)
        try process.waitUntilReady()
        return process
    }

    func authorized(_ headers: [(String, String)] = []) -> [(String, String)] {
        headers + [("Authorization", "Bearer \(CarewatchProcess.apiKey)"), ("Content-Type", "application/json")]
    }

    /// The data directory's files matching a prefix, sorted by name (= by number).
    func files(in directory: URL, prefix: String) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix(prefix) }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }
}
