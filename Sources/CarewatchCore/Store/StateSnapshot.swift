/// A published `StoreState` in a box. Copying the struct retains each of its ~25 tables (and
/// releases them after): on a server whose event loops all read the same state, those are
/// atomic writes to cache lines every core shares, a few hundred nanoseconds per request.
/// A reader holds the box instead: one reference taken, and the state borrowed from it.
public final class StateSnapshot: Sendable {
    public let state: StoreState

    init(_ state: StoreState) { self.state = state }
}
