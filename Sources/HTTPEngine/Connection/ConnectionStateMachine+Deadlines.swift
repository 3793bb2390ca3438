/// Deadlines: which one the connection is under, when it falls, and what happens then. The
/// event loop's sweep calls `tick()` once `deadline` has passed; everything else about time is
/// here, measured on the injected clock.
extension ConnectionStateMachine {
    /// The earliest instant at which something must happen, and what.
    var deadline: (at: MonotonicInstant, expiry: Expiry)? {
        let t = context.timeouts
        if writeBlocked, let stall = stallStartedAt {
            // The client is not taking what it is sent: something every `write` seconds, and
            // no slower than the minimum rate averaged over the whole wait.
            var at = lastWriteProgress + t.write
            if let rate = t.rateDeadline(since: stall, bytes: stallBytes) { at = min(at, rate) }
            return (at, .slowReader)
        }
        switch phase {
        case .reading:
            if !parser.inProgress {
                guard inbox.isEmpty && pendingDispatch == nil else { return nil }
                // A new connection that sends nothing gets the head's time, not keep-alive's.
                return (idleSince + (firstRequest ? t.header : t.idle), .idle)
            }
            if parser.isReadingBody {
                var at = bodyStartedAt + t.body
                if let rate = t.rateDeadline(since: bodyStartedAt, bytes: bodyBytes) { at = min(at, rate) }
                return (at, .body)
            }
            return (requestStartedAt + t.header, .head)
        case .awaitingResponse:
            return (awaitingSince + t.response, .response)
        case .lingering:
            return (lingerStartedAt + t.linger, .linger)
        case .streaming, .closingAfterWrite, .closed:
            return nil
        }
    }

    /// Called when the deadline may have passed; acts only if it has.
    mutating func tick() {
        let now = clock.now
        guard let (at, expiry) = deadline, at <= now else { return }
        let t = context.timeouts
        switch expiry {
        case .idle, .linger:
            closeRequested = true
        case .slowReader:
            context.counters.slowReaders.increment()
            closeRequested = true
        case .head:
            context.counters.requestTimeouts.increment()
            fail(ParseError(.requestTimeout, "The request head did not arrive within \(seconds(t.header))"))
        case .body:
            context.counters.requestTimeouts.increment()
            let elapsed = now.since(bodyStartedAt)
            if elapsed >= t.body {
                fail(ParseError(.requestTimeout, "The request body did not arrive within \(seconds(t.body))"))
            } else {
                fail(ParseError(.requestTimeout, "The request body arrived too slowly: \(bodyBytes) bytes in \(seconds(elapsed)), "
                                + "below the minimum of \(t.minimumRate ?? 0) bytes per second"))
            }
        case .response:
            if answeringEngineError {
                // Even the engine's own answer did not get through the middleware: give up.
                closeRequested = true
            } else {
                context.counters.responseTimeouts.increment()
                fail(ParseError(.serviceUnavailable, "The server did not answer within \(seconds(t.response))"))
            }
        }
    }

    private func seconds(_ nanoseconds: UInt64) -> String {
        let tenths = (nanoseconds + 50_000_000) / 100_000_000
        return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }
}
