import Glibc

/// Bytes waiting to be written to one socket, in order. Small pieces (heads, small bodies, several
/// pipelined responses) are appended to one buffer so they leave in one system call; large bodies
/// are queued as their own segment without copying. All segments go out with one vectored send.
struct OutputQueue {
    private(set) var segments: [[UInt8]] = []
    /// Bit i: segment i is the queue's own buffer (from `spare`), which may be recycled once
    /// sent; the others are callers' bodies, shared and never reused.
    private var ownSegments: UInt64 = 0
    private var firstOffset = 0
    private var lastAppendable = false
    private(set) var pendingBytes = 0

    var isEmpty: Bool { pendingBytes == 0 }

    /// Appends into the tail buffer; `spare` supplies a buffer with capacity when a new tail is needed.
    mutating func append(_ bytes: UnsafeRawBufferPointer, spare: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        if !lastAppendable { startTail(spare: &spare) }
        segments[segments.count - 1].append(contentsOf: bytes)
        pendingBytes += bytes.count
    }

    /// A new tail buffer, the spare one: the queue's own, so it may be recycled once sent.
    private mutating func startTail(spare: inout [UInt8]) {
        var tail: [UInt8] = []
        swap(&tail, &spare)
        tail.removeAll(keepingCapacity: true)
        if segments.count < 64 { ownSegments |= 1 << UInt64(segments.count) }
        segments.append(tail)
        lastAppendable = true
    }

    /// Lets a serializer write straight into the tail buffer (no intermediate copy).
    mutating func write(spare: inout [UInt8], _ body: (inout [UInt8]) -> Void) {
        if !lastAppendable { startTail(spare: &spare) }
        let last = segments.count - 1
        let before = segments[last].count
        body(&segments[last])
        pendingBytes += segments[last].count - before
        if segments[last].isEmpty {
            segments.removeLast()
            if last < 64 { ownSegments &= ~(1 << UInt64(last)) }
            lastAppendable = false
        }
    }

    mutating func append(_ bytes: [UInt8], spare: inout [UInt8]) {
        bytes.withUnsafeBytes { append($0, spare: &spare) }
    }

    /// Queues a large buffer as its own segment (no copy).
    mutating func appendSegment(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        segments.append(bytes)
        lastAppendable = false
        pendingBytes += bytes.count
    }

    enum FlushResult { case drained, wouldBlock(wrote: Int), failed }

    /// Sends as much as the socket takes. MSG_NOSIGNAL: a closed peer is an error, not SIGPIPE.
    mutating func flush(fd: Int32, spare: inout [UInt8]) -> FlushResult {
        var total = 0
        while pendingBytes > 0 {
            let n = sendSome(fd: fd)
            if n > 0 {
                total += n
                consume(n, spare: &spare)
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return .wouldBlock(wrote: total)
            } else {
                return .failed
            }
        }
        return .drained
    }

    /// Marks the first `n` pending bytes as sent.
    mutating func consume(_ n: Int, spare: inout [UInt8]) {
        var left = n
        pendingBytes -= n
        while left > 0 {
            let avail = segments[0].count - firstOffset
            if left >= avail {
                left -= avail
                let done = segments.removeFirst()
                let own = ownSegments & 1 == 1
                ownSegments >>= 1
                firstOffset = 0
                if segments.isEmpty { lastAppendable = false }
                if own && done.capacity <= 64 * 1024 && done.capacity > spare.capacity { spare = consume done; spare.removeAll(keepingCapacity: true) }
            } else {
                firstOffset += left
                left = 0
            }
        }
        if segments.isEmpty { firstOffset = 0; lastAppendable = false; ownSegments = 0 }
    }

    /// The pending bytes in order (for tests and diagnostics; sending never copies them).
    var pending: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(pendingBytes)
        for (i, segment) in segments.enumerated() { out.append(contentsOf: i == 0 ? segment[firstOffset...] : segment[...]) }
        return out
    }

    mutating func removeAll() {
        segments = []
        ownSegments = 0
        firstOffset = 0
        lastAppendable = false
        pendingBytes = 0
    }

    private func sendSome(fd: Int32) -> Int {
        if segments.count == 1 {
            return segments[0].withUnsafeBytes { b in
                send(fd, b.baseAddress! + firstOffset, b.count - firstOffset, Int32(MSG_NOSIGNAL))
            }
        }
        let count = min(segments.count, 16)
        return withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { iov in
            gather(0, count, iov, fd)
        }
    }

    /// Pins each segment's storage with nested withUnsafeBytes, then sends them all at once.
    private func gather(_ k: Int, _ count: Int, _ iov: UnsafeMutableBufferPointer<iovec>, _ fd: Int32) -> Int {
        if k == count {
            var msg = msghdr()
            msg.msg_iov = iov.baseAddress
            msg.msg_iovlen = count
            return sendmsg(fd, &msg, Int32(MSG_NOSIGNAL))
        }
        return segments[k].withUnsafeBytes { b in
            let skip = k == 0 ? firstOffset : 0
            iov[k] = iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress! + skip), iov_len: b.count - skip)
            return gather(k + 1, count, iov, fd)
        }
    }
}
