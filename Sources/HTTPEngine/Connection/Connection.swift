import Dispatch
import Glibc

/// One client connection: the I/O shell around a `ConnectionStateMachine`. It owns the socket
/// (watched in its event loop's epoll set), feeds the machine what happens (bytes, end-of-file,
/// writability, answers, ticks) and performs the actions it returns. All of it runs on the event
/// loop's queue, asserted wherever state is touched; only `respond` may be called from
/// elsewhere, and it hops to the queue.
final class Connection: @unchecked Sendable {
    let id: UInt64
    let fd: Int32
    let loop: EventLoop
    /// Touched only on the loop queue (asserted), so the per-access exclusivity check buys nothing.
    @exclusivity(unchecked) private var machine: ConnectionStateMachine<CoarseMonotonicClock>

    /// The events the loop's epoll set watches for this socket.
    private var interest: UInt32 = 0
    /// The descriptor is closed (its number may already belong to someone else).
    private var closed = false
    /// True while `drive` runs, so an answer given synchronously by the handler does not re-enter it.
    private var driving = false
    /// When the sweep should call `tick` (nanoseconds on the coarse monotonic clock).
    private(set) var deadline: UInt64 = .max

    init(id: UInt64, fd: Int32, loop: EventLoop, remoteAddress: String) {
        self.id = id
        self.fd = fd
        self.loop = loop
        self.machine = ConnectionStateMachine(context: loop.context, resources: loop.resources, clock: CoarseMonotonicClock(),
                                              remoteAddress: remoteAddress)
    }

    // MARK: events

    /// Runs on the loop queue right after accept.
    func start() {
        dispatchPrecondition(condition: .onQueue(loop.queue))
        interest = Poller.readable
        guard loop.poller.add(fd, token: id, interest: interest) else {
            machine.socketFailed()
            drive()
            return
        }
        machine.start()
        drive()
    }

    /// What the epoll set reported for this socket.
    func ready(_ events: UInt32) {
        dispatchPrecondition(condition: .onQueue(loop.queue))
        guard !closed else { return }
        if events & Poller.readable != 0 {
            readable()
        } else if events & Poller.hangUp != 0 {
            // Reset or failed while nothing was being read: nobody is left to answer.
            machine.socketFailed()
            drive()
            return
        }
        if !closed && events & Poller.writable != 0 && interest & Poller.writable != 0 {
            writable()
        }
    }

    private func readable() {
        if machine.isLingering {
            discardInput()
        } else {
            readAvailable()
        }
        drive()
    }

    /// Reads while the machine wants input, at most a few buffers per wake-up for fairness.
    private func readAvailable() {
        let buffer = loop.readBuffer
        var rounds = 0
        while machine.wantsRead {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                machine.received(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                rounds += 1
                if n < buffer.count || rounds >= 4 { return }
            } else if n == 0 {
                machine.readClosed()
                return
            } else {
                let e = errno
                if e == EINTR { continue }
                if e != EAGAIN && e != EWOULDBLOCK { machine.socketFailed() }
                return
            }
        }
    }

    /// While lingering: read and drop until the client closes or has nothing more for now.
    private func discardInput() {
        let buffer = loop.readBuffer
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            machine.readClosed()
            return
        }
    }

    private func writable() {
        machine.writable()
        drive()
    }

    /// A handler's answer, from any thread.
    func respond(_ response: HTTPResponse, sequence: UInt64) {
        if loop.isCurrent {
            deliver(response, sequence: sequence)
        } else {
            loop.queue.async { [self] in self.deliver(response, sequence: sequence) }
        }
    }

    private func deliver(_ response: HTTPResponse, sequence: UInt64) {
        dispatchPrecondition(condition: .onQueue(loop.queue))
        if machine.responseReady(response, sequence: sequence) {
            drive()
        } else if case .push(let stream) = response.body {
            // A late or orphaned event stream: its producer must learn that nobody listens.
            _ = stream.end(.connectionClosed)
        }
    }

    private func streamWoke() {
        dispatchPrecondition(condition: .onQueue(loop.queue))
        machine.streamWoke()
        drive()
    }

    /// Called by the sweep once `deadline` has passed.
    func tick() {
        dispatchPrecondition(condition: .onQueue(loop.queue))
        machine.tick()
        drive()
    }

    /// Graceful drain. A request that already reached the socket counts as in flight: read it first.
    func drain() {
        dispatchPrecondition(condition: .onQueue(loop.queue))
        if machine.wantsRead { readAvailable() }
        machine.drain()
        drive()
    }

    /// Closes at once, whatever is in flight (the end of a drain that ran out of time).
    func forceClose() {
        dispatchPrecondition(condition: .onQueue(loop.queue))
        machine.socketFailed()
        drive()
    }

    // MARK: performing the machine's actions

    /// Performs actions until the machine waits for an event. Every event ends here.
    private func drive() {
        guard !driving else { return }
        driving = true
        defer { driving = false }
        var budget = 64
        while true {
            budget -= 1
            if budget <= 0 {
                // Let other connections on this loop have a turn.
                loop.queue.async { [self] in self.drive() }
                syncInterest()
                return
            }
            switch machine.nextAction() {
            case .wait:
                syncInterest()
                return
            case .dispatch(let sequence):
                guard let request = machine.takeRequest() else { continue }
                loop.context.handler(request, Responder { [self] response in self.respond(response, sequence: sequence) })
            case .flush:
                let result = machine.output.flush(fd: fd, spare: &loop.resources.spareOutput)
                machine.flushed(result)
                if let stream = machine.pushStream { stream.noteUnsent(machine.output.pendingBytes) }
            case .pull(let source):
                machine.pulled(source.nextChunk())
            case .attach(let stream):
                let loop = self.loop
                stream.attach { [self] in loop.queue.async { self.streamWoke() } }
            case .take(let stream):
                machine.streamed(stream.take())
                stream.noteUnsent(machine.output.pendingBytes)
            case .endStream(let stream, let reason):
                machine.streamEnded(final: stream.end(reason))
            case .shutdownWrite:
                shutdown(fd, Int32(SHUT_WR))
            case .close:
                closeSocket()
                return
            }
        }
    }

    /// Matches the epoll interest and the sweep's deadline to what the machine waits for.
    private func syncInterest() {
        guard !closed else { return }
        let wanted = (machine.wantsRead ? Poller.readable : 0) | (machine.wantsWrite ? Poller.writable : 0)
        if wanted != interest {
            interest = wanted
            loop.poller.modify(fd, token: id, interest: wanted)
        }
        deadline = machine.deadline?.at.nanoseconds ?? .max
    }

    private func closeSocket() {
        closed = true
        deadline = .max
        loop.poller.remove(fd)
        Glibc.close(fd)
        loop.unregister(self)
        loop.context.connectionClosed()
    }
}
