import Glibc
import Synchronization

/// SIGTERM and SIGINT taken over from their default action (which would end the process at
/// once, without a drain or a final snapshot) and turned into an event to wait for.
///
/// Install it first thing, before the server binds or loads anything: a signal that arrives
/// between "ready" and the moment a drain could start is then held, not fatal, so an
/// orchestrator that stops a container right after its health check passes still gets a clean
/// stop.
///
/// The handler is installed with `sigaction` and writes a byte to a pipe (`write` is
/// async-signal-safe); `wait()` reads it. Both happen before `init` returns, so no signal
/// can fall between the old disposition and the new one. (A Dispatch signal source cannot
/// promise that: it registers on Dispatch's manager thread some time after `resume()`, and a
/// signal sent in that window, under load, was lost: the server then never drained.)
/// `restore()` puts back the dispositions found. One instance watches at a time; a newer one
/// takes the signals over.
public final class TerminationSignals: @unchecked Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32
    private var previous: [(number: Int32, action: sigaction)] = []

    public init(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            fatalError("TerminationSignals: pipe failed (errno \(errno)): no way to hear SIGTERM")
        }
        readEnd = ends[0]
        writeEnd = ends[1]
        // Not inherited by a child the process starts.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        terminationSignalPipe.store(writeEnd, ordering: .sequentiallyConsistent)
        for number in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                let savedErrno = errno
                var byte: UInt8 = 1
                let pipe = terminationSignalPipe.load(ordering: .relaxed)
                if pipe >= 0 { _ = write(pipe, &byte, 1) }
                errno = savedErrno
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            var old = sigaction()
            sigaction(number, &action, &old)
            previous.append((number, old))
        }
    }

    /// Puts the dispositions back before the pipe closes: a handler left installed would
    /// otherwise write to a descriptor number the process may have reused for a file.
    deinit {
        restore()
        _ = terminationSignalPipe.compareExchange(expected: writeEnd, desired: -1, ordering: .sequentiallyConsistent)
        close(readEnd)
        close(writeEnd)
    }

    /// Returns once one of the signals has arrived (at once if one came before the call).
    public func wait() {
        var byte: UInt8 = 0
        while read(readEnd, &byte, 1) < 0 && errno == EINTR {}
    }

    /// Stops watching and puts back the dispositions that were there before.
    public func restore() {
        for (number, action) in previous {
            var old = action
            sigaction(number, &old, nil)
        }
        previous = []
    }
}

/// Where the signal handler writes: the newest `TerminationSignals`' pipe. Set before any
/// handler is installed, so the handler only ever loads it.
private let terminationSignalPipe = Atomic<Int32>(-1)
