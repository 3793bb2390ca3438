import Dispatch
import Glibc

/// SIGTERM and SIGINT taken over from their default action (which would end the process at
/// once, without a drain or a final snapshot) and turned into an event to wait for.
///
/// Install it first thing, before the server binds or loads anything: a signal that arrives
/// between "ready" and the moment a drain could start is then held, not fatal, so an
/// orchestrator that stops a container right after its health check passes still gets a clean
/// stop. `restore()` puts back the dispositions found, because ignored signals are inherited
/// by child processes.
public final class TerminationSignals: @unchecked Sendable {
    private let signalled = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "httpengine.signals")
    private var sources: [DispatchSourceSignal] = []
    private var previous: [(Int32, __sighandler_t?)] = []

    public init(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        for number in signals {
            // Ignored at the process level, so that the Dispatch source alone receives it.
            previous.append((number, signal(number, SIG_IGN)))
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [signalled] in signalled.signal() }
            source.resume()
            sources.append(source)
        }
    }

    /// Returns once one of the signals has arrived (at once if one came before the call).
    public func wait() { signalled.wait() }

    /// Stops watching and puts back the dispositions that were there before.
    public func restore() {
        for source in sources { source.cancel() }
        sources = []
        for (number, handler) in previous { signal(number, handler) }
        previous = []
    }
}
