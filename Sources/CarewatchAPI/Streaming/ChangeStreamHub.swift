import CarewatchCore
import Foundation
import HTTPEngine
import Synchronization

/// Every open `GET /v1/changes/stream`, fed from the store's history.
///
/// A stream holds no copy of the changes: it holds a position (`cursor`) in the history,
/// which all streams share, and is written only as fast as its client reads. After each
/// commit, and each time a client has taken what it was sent, the stream gets the changes
/// after its position that fit in its buffer (`ResponseStream.room`); so a burst of
/// thousands of changes, or a resume from far back, is paced to the client instead of
/// buffered, and a stream costs its connection and a few hundred bytes.
///
/// A client that stays behind for longer than `maxLag` (it has not caught up with what was
/// committed since) is disconnected with a last `cut-off` event naming the id to resume from.
/// A stream idle for `heartbeat` gets a comment line. A server that drains ends every stream
/// with a `shutdown` event.
///
/// The store's commit subscription only schedules work here (it runs on the committer
/// thread and must not wait); everything else runs on the hub's own serial queue.
final class ChangeStreamHub: @unchecked Sendable {
    struct Settings: Sendable, Equatable {
        var heartbeat: Duration = .seconds(15)
        var maxLag: Duration = .seconds(30)
        /// Bytes a stream may have written and not yet taken by its client.
        var bufferLimit = 128 * 1024
    }

    let settings: Settings
    private let queue = DispatchQueue(label: "carewatch-change-streams")
    private let clock: @Sendable () -> ContinuousClock.Instant
    private let openCount = Atomic<Int>(0)
    private let cutOffCount = Atomic<Int>(0)
    private let pumpScheduled = Atomic<Bool>(false)
    // Confined to `queue`.
    private var subscribers: [ObjectIdentifier: Subscriber] = [:]
    private var timer: DispatchSourceTimer?
    private var store: Store?

    init(settings: Settings, clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.settings = settings
        self.clock = clock
    }

    /// Streams open now, and streams cut off for falling behind since start-up, by either
    /// rule (`/metrics`).
    var openStreams: Int { openCount.load(ordering: .relaxed) }
    var streamsCutOff: Int { cutOffCount.load(ordering: .relaxed) }

    /// Follows `store`'s commits from now on (once, when the store has loaded).
    func follow(_ store: Store) {
        queue.sync { self.store = store }
        store.subscribe { [weak self] _ in self?.committed() }
    }

    /// A stream from `asked` on (a `Last-Event-ID` or `since=`), or from now when nil. A
    /// position the history no longer holds, or one past the latest change, starts with a
    /// `reset` event and continues from the latest.
    func open(_ store: Store, from asked: UInt64?) -> HTTPResponse {
        let view = store.state.history.view()
        var prelude: [UInt8] = []
        var cursor = view.latest
        if let asked {
            if asked >= view.floor && asked <= view.latest {
                cursor = asked
            } else {
                prelude += ServerSentEvent.reset(asked: asked, view: view)
            }
        }
        prelude = ServerSentEvent.ready(since: cursor, view: view) + prelude
        let subscriber = Subscriber(cursor: cursor, now: clock())
        let stream = ResponseStream(bufferLimit: settings.bufferLimit) { [weak self, weak subscriber] reason in
            guard let self, let subscriber else { return nil }
            self.queue.async { self.remove(subscriber) }
            switch reason {
            case .clientTooSlow:
                // The engine's buffer bound ended it (or the lag rule's last event did not fit).
                self.countCutOff(subscriber)
                return ServerSentEvent.cutOff(resumeFrom: subscriber.cursor, behind: subscriber.behind)
            case .serverShutdown: return ServerSentEvent.shutdown(resumeFrom: subscriber.cursor)
            case .connectionClosed: return nil
            }
        }
        subscriber.stream = stream
        stream.write(prelude)
        openCount.add(1, ordering: .relaxed)
        queue.async {
            self.subscribers[ObjectIdentifier(subscriber)] = subscriber
            self.startTimer()
            var encoded: [UInt64: [UInt8]] = [:]
            self.pump(subscriber, encoded: &encoded)
        }
        var headers = HTTPHeaders()
        headers.set("Content-Type", "text/event-stream")
        headers.set("Cache-Control", "no-store")
        // Proxies that buffer answers (nginx does by default) must pass events on as they come.
        headers.set("X-Accel-Buffering", "no")
        // A stream is its connection's last answer: once it ends (cut off, shut down), the
        // connection goes too, and EventSource reconnects on a new one.
        headers.set("Connection", "close")
        return HTTPResponse(status: .ok, headers: headers, body: .push(stream))
    }

    // MARK: on the queue

    /// A commit landed: give every stream that is not waiting for its client what is new.
    /// Runs on the committer thread, so it only schedules (once, however many commits come
    /// before the queue gets to it).
    private func committed() {
        guard openCount.load(ordering: .relaxed) > 0, !pumpScheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.async {
            self.pumpScheduled.store(false, ordering: .releasing)
            var encoded: [UInt64: [UInt8]] = [:]
            for subscriber in self.subscribers.values { self.pump(subscriber, encoded: &encoded) }
        }
    }

    /// Writes the changes after the stream's position that fit, and asks to be called again
    /// once the client has taken them if more wait. `encoded` shares each change's bytes
    /// between the streams of one round (most are at the same position).
    private func pump(_ subscriber: Subscriber, encoded: inout [UInt64: [UInt8]]) {
        guard !subscriber.waiting, let stream = subscriber.stream, let store else { return }
        let view = store.state.history.view()
        let now = clock()
        if subscriber.cursor < view.floor || lagExceeded(subscriber, now: now) {
            cutOff(subscriber, latest: view.latest)
            return
        }
        var room = stream.room
        let emptyBuffer = room == settings.bufferLimit
        var chunk: [UInt8] = []
        var position = subscriber.cursor
        while position < view.latest, let event = view.event(position + 1) {
            let bytes = encoded[event.sequence] ?? ServerSentEvent.change(event)
            encoded[event.sequence] = bytes
            // One change bigger than the whole buffer still goes, alone, into an empty one.
            guard bytes.count <= room || (chunk.isEmpty && emptyBuffer) else { break }
            chunk += bytes
            room -= bytes.count
            position = event.sequence
        }
        if !chunk.isEmpty {
            guard stream.write(chunk) else { return }   // ended or overflowed: onEnd removes it
            subscriber.cursor = position
            subscriber.lastWrite = now
        }
        subscriber.behind = Int(view.latest - subscriber.cursor)
        if subscriber.cursor < view.latest {
            subscriber.behindSince = subscriber.behindSince ?? now
            subscriber.waiting = true
            stream.whenDrained { [weak self, weak subscriber] in
                guard let self, let subscriber else { return }
                self.queue.async {
                    subscriber.waiting = false
                    var encoded: [UInt64: [UInt8]] = [:]
                    self.pump(subscriber, encoded: &encoded)
                }
            }
        } else {
            subscriber.behindSince = nil
        }
    }

    private func lagExceeded(_ subscriber: Subscriber, now: ContinuousClock.Instant) -> Bool {
        guard let since = subscriber.behindSince else { return false }
        return now - since > settings.maxLag
    }

    /// Ends a stream that cannot keep up with a last event saying where to resume. If the
    /// client's buffer has no room even for that, the engine cuts it off and sends the same
    /// event past the bound (`onEnd(.clientTooSlow)`).
    private func cutOff(_ subscriber: Subscriber, latest: UInt64) {
        guard let stream = subscriber.stream else { return }
        countCutOff(subscriber)
        subscriber.behind = Int(latest - min(latest, subscriber.cursor))
        remove(subscriber)
        if stream.write(ServerSentEvent.cutOff(resumeFrom: subscriber.cursor, behind: subscriber.behind)) { stream.finish() }
    }

    /// Counts a stream cut off once, whichever rule ended it first: the lag rule here, or the
    /// engine's send-buffer bound (`onEnd(.clientTooSlow)`), which also fires when the lag
    /// rule's last event overflows the buffer.
    private func countCutOff(_ subscriber: Subscriber) {
        if !subscriber.countedCutOff.exchange(true, ordering: .relaxed) { cutOffCount.add(1, ordering: .relaxed) }
    }

    /// Heartbeats for idle streams, and the lag rule for streams whose client stalled.
    private func tick() {
        let now = clock()
        for subscriber in Array(subscribers.values) {
            guard let stream = subscriber.stream else { continue }
            if lagExceeded(subscriber, now: now) {
                cutOff(subscriber, latest: store?.state.history.latest ?? subscriber.cursor)
            } else if !subscriber.waiting, now - subscriber.lastWrite >= settings.heartbeat {
                if stream.write(ServerSentEvent.heartbeat) { subscriber.lastWrite = now }
            }
        }
    }

    private func remove(_ subscriber: Subscriber) {
        guard subscribers.removeValue(forKey: ObjectIdentifier(subscriber)) != nil else { return }
        openCount.subtract(1, ordering: .relaxed)
        subscriber.stream = nil
        if subscribers.isEmpty {
            timer?.cancel()
            timer = nil
        }
    }

    private func startTimer() {
        guard timer == nil else { return }
        let period = max(min(settings.heartbeat, settings.maxLag) / 2, .milliseconds(10))
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let nanoseconds = Int(period.components.seconds) * 1_000_000_000 + Int(period.components.attoseconds / 1_000_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
        timer.setEventHandler { [weak self] in self?.tick() }
        timer.resume()
        self.timer = timer
    }
}

/// One open stream: its position in the history and its pacing. Read by the engine's
/// `onEnd` (the cursor, for the last event), otherwise confined to the hub's queue.
private final class Subscriber: @unchecked Sendable {
    private let position: Atomic<UInt64>
    var stream: ResponseStream?
    /// Waiting for the client to take what it was sent (`whenDrained`).
    var waiting = false
    /// When it last had changes waiting that it could not be sent, if it still has.
    var behindSince: ContinuousClock.Instant?
    private let lag = Atomic<Int>(0)
    var lastWrite: ContinuousClock.Instant
    /// Whether its cut-off is counted (`/metrics`), so the two rules that end it count it once.
    let countedCutOff = Atomic<Bool>(false)

    init(cursor: UInt64, now: ContinuousClock.Instant) {
        position = Atomic(cursor)
        lastWrite = now
    }

    /// Changes committed and not yet written to it.
    var behind: Int {
        get { lag.load(ordering: .relaxed) }
        set { lag.store(newValue, ordering: .relaxed) }
    }

    /// The last change written to the stream.
    var cursor: UInt64 {
        get { position.load(ordering: .relaxed) }
        set { position.store(newValue, ordering: .relaxed) }
    }
}
