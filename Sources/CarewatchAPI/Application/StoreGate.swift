import CarewatchCore
import Synchronization

/// The store, once loaded, and the requests that came before it. The server binds its port
/// before the data loads (so `/healthz` answers during a long start-up), and a request that
/// needs the data in that window waits here instead of being refused: a client, a load
/// balancer that does not check `/readyz`, or a benchmark that starts once `/healthz` answers
/// gets its answer a moment late rather than a 503.
///
/// The wait is bounded by the engine's response deadline (`--response-timeout`): a request
/// still waiting then is answered 503 by the engine, and the gate forgets it at the next
/// arrival. If loading fails, every waiting request is answered 503 before the server stops.
final class StoreGate: Sendable {
    /// What a waiting request runs once loading ends: with the store, or nil if loading failed.
    typealias Waiter = @Sendable (Store?) -> Void

    private enum Phase {
        case loading([(since: ContinuousClock.Instant, resume: Waiter)])
        case loaded
        case failed
    }

    /// The fast path: one acquiring load, no lock, once the store is published.
    private let isLoaded = Atomic<Bool>(false)
    /// Written once, before `isLoaded` turns true (the releasing store orders the two).
    private nonisolated(unsafe) var loadedStore: Store?
    private let phase = Mutex<Phase>(.loading([]))
    /// How long a waiter can matter: after this the engine has answered it.
    private let maximumWait: Duration
    /// Told how many requests wait, each time one starts waiting (tests wait on it).
    private let parked: @Sendable (Int) -> Void

    init(maximumWait: Duration, parked: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.maximumWait = maximumWait
        self.parked = parked
    }

    /// The store once loaded; nil while loading or after loading failed.
    var current: Store? {
        isLoaded.load(ordering: .acquiring) ? loadedStore : nil
    }

    /// Runs `waiter` with the store: at once (on this thread) if it is loaded, otherwise on
    /// the loading thread when loading ends.
    func whenLoaded(_ waiter: @escaping Waiter) {
        if let store = current { return waiter(store) }
        let now = ContinuousClock.now
        let outcome: (ready: Store?, failed: Bool, waiting: Int) = phase.withLock { phase in
            switch phase {
            case .loading(var waiters):
                waiters.removeAll { now - $0.since > maximumWait }
                waiters.append((now, waiter))
                let count = waiters.count
                phase = .loading(waiters)
                return (nil, false, count)
            case .loaded:
                return (loadedStore, false, 0)
            case .failed:
                return (nil, true, 0)
            }
        }
        if let store = outcome.ready {
            waiter(store)
        } else if outcome.failed {
            waiter(nil)
        } else {
            parked(outcome.waiting)
        }
    }

    /// Publishes the store, then answers every waiting request (in arrival order).
    func open(_ store: Store) {
        loadedStore = store
        isLoaded.store(true, ordering: .releasing)
        for waiter in end(.loaded) { waiter(store) }
    }

    /// Loading failed: every waiting request, and any that arrives before the server stops,
    /// is told so.
    func fail() {
        for waiter in end(.failed) { waiter(nil) }
    }

    private func end(_ outcome: Phase) -> [Waiter] {
        phase.withLock { phase in
            guard case .loading(let waiters) = phase else { return [] }
            phase = outcome
            return waiters.map(\.resume)
        }
    }
}
