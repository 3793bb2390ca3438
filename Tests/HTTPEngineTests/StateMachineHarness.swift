import XCTest
@testable import HTTPEngine

/// A clock the test moves by hand: deadlines are tested by advancing it, never by sleeping.
final class ManualClock: EngineClock {
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    func advance(_ duration: Duration) { now = now + duration.nanoseconds }
}

/// Drives a `ConnectionStateMachine` the way `Connection` does, with a pretend socket: what is
/// flushed is collected, the socket takes everything (or `socketTakes` bytes per flush), and a
/// handler answers synchronously when `handler` returns a response.
struct MachineHarness {
    typealias Machine = ConnectionStateMachine<ManualClock>
    let clock = ManualClock()
    let context: ServerContext
    var machine: Machine
    /// Everything the machine asked to send, as text.
    var sent: [UInt8] = []
    /// Bytes the socket takes per flush; nil takes everything.
    var socketTakes: Int? = nil
    var dispatched: [(request: HTTPRequest, sequence: UInt64)] = []
    var handler: (HTTPRequest) -> HTTPResponse? = { _ in HTTPResponse(status: .ok, body: .bytes(Array("ok".utf8))) }
    /// Whether the pretend middleware chain passes the engine's own answers back (a router does).
    var answersEngineErrors = true
    var flushes = 0
    var shutWrite = false
    var closed = false
    var attached: [ResponseStream] = []
    var endReasons: [ResponseStream.EndReason] = []
    /// Bodies limits were asked for, with the path they were asked with.
    let bodyLimitPaths = PathLog()

    init(routesEngineErrors: Bool = true, _ configure: (inout ServerConfiguration) -> Void = { _ in }) {
        var configuration = ServerConfiguration()
        configure(&configuration)
        let log = bodyLimitPaths
        context = ServerContext(configuration: configuration, handler: { _, _ in }, routesEngineErrors: routesEngineErrors,
                                bodyLimitFor: { _, path in log.add(path); return path.hasPrefix("/small") ? 10 : nil })
        machine = Machine(context: context, resources: LoopResources(), clock: clock)
        machine.start()
    }

    var text: String { String(decoding: sent, as: UTF8.self) }

    /// Takes and clears what was sent so far.
    mutating func takeSent() -> String {
        defer { sent = [] }
        return text
    }

    mutating func feed(_ text: String) {
        Array(text.utf8).withUnsafeBytes { machine.received($0) }
        run()
    }

    mutating func advance(_ duration: Duration) {
        clock.advance(duration)
        machine.tick()
        run()
    }

    /// Answers the request with `sequence` (late answers included) and runs.
    @discardableResult
    mutating func respond(_ response: HTTPResponse, sequence: UInt64) -> Bool {
        let taken = machine.responseReady(response, sequence: sequence)
        run()
        return taken
    }

    /// Performs actions until the machine waits.
    mutating func run() {
        var steps = 0
        while true {
            steps += 1
            precondition(steps < 10_000, "the machine never settles")
            switch machine.nextAction() {
            case .wait:
                return
            case .dispatch(let sequence):
                let request = machine.takeRequest()!
                dispatched.append((request, sequence))
                if let answer = request.engineResponse {
                    if answersEngineErrors { _ = machine.responseReady(answer, sequence: sequence) }
                } else if let response = handler(request) {
                    _ = machine.responseReady(response, sequence: sequence)
                }
            case .flush:
                flushes += 1
                let pending = machine.output.pending
                let n = min(pending.count, socketTakes ?? pending.count)
                sent += pending[0..<n]
                var spare: [UInt8] = []
                machine.output.consume(n, spare: &spare)
                machine.flushed(machine.output.isEmpty ? .drained : .wouldBlock(wrote: n))
                if let stream = machine.pushStream { stream.noteUnsent(machine.output.pendingBytes) }
            case .pull(let source):
                machine.pulled(source.nextChunk())
            case .attach(let stream):
                attached.append(stream)
                stream.attach { }   // the test calls `streamWoke()` itself
            case .take(let stream):
                machine.streamed(stream.take())
                stream.noteUnsent(machine.output.pendingBytes)
            case .endStream(let stream, let reason):
                endReasons.append(reason)
                machine.streamEnded(final: stream.end(reason))
            case .shutdownWrite:
                shutWrite = true
            case .close:
                closed = true
                return
            }
        }
    }

    /// The push stream's producer wrote something.
    mutating func streamWoke() {
        machine.streamWoke()
        run()
    }

    /// The socket became writable again.
    mutating func writable() {
        machine.writable()
        run()
    }
}

final class PathLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

extension String {
    /// Occurrences of `needle`.
    func count(of needle: String) -> Int { components(separatedBy: needle).count - 1 }
}
