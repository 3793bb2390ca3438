import Glibc

/// Nanoseconds on the monotonic clock: durations and deadlines must not jump with wall-clock changes.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// The coarse clock costs a few nanoseconds (no syscall) and 4 ms resolution is plenty for timeouts.
@inline(__always)
func coarseMonotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// A point on a monotonic clock, in nanoseconds since an arbitrary origin.
struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    var nanoseconds: UInt64

    static func < (a: MonotonicInstant, b: MonotonicInstant) -> Bool { a.nanoseconds < b.nanoseconds }
    static func + (a: MonotonicInstant, nanoseconds: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: a.nanoseconds &+ nanoseconds)
    }
    /// Nanoseconds from `earlier` to this instant (0 if `earlier` is later).
    func since(_ earlier: MonotonicInstant) -> UInt64 {
        nanoseconds > earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0
    }
    var description: String { "\(Double(nanoseconds) / 1e9)s" }
}

/// Where a connection reads the time. Serving uses the coarse monotonic clock; the state
/// machine's tests inject a clock they move by hand, so no test of a deadline sleeps.
protocol EngineClock {
    var now: MonotonicInstant { get }
}

struct CoarseMonotonicClock: EngineClock {
    @inline(__always)
    var now: MonotonicInstant { MonotonicInstant(nanoseconds: coarseMonotonicNanos()) }
}

extension Duration {
    /// Whole nanoseconds, saturating at zero for negative durations.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
    }
}
