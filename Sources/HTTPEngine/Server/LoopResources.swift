/// What the connections of one event loop share, touched only on that loop's queue: idle
/// connections keep no output buffer of their own and no formatter runs per response.
final class LoopResources {
    /// Output buffer lent to whichever connection is writing; returned once that connection drains.
    var spareOutput: [UInt8] = []
    var dateCache = DateCache()

    init() { spareOutput.reserveCapacity(4096) }
}
