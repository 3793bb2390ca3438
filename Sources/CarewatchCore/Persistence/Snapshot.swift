import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A snapshot file: one header line, then the JSON document.
///
///     carewatch-snapshot 1 generation=1234 committed_at=1763892000 changes=5678 length=456789 crc32=89abcdef
///     {"generation":1234,"change_sequence":5678,"history_floor":0,"councils":[…],…,"history":[…]}
///
/// `change_sequence` is the newest change's number in the change feed and `history_floor`
/// the last one no longer held (both absent in snapshots written before history: the
/// sequence then starts from the generation). The header repeats the sequence so that a
/// restore can continue it from the file names and headers alone.
///
/// The document has one array per `SnapshotSection`. Every section comes from one immutable
/// `StoreState`, so a snapshot is one consistent generation. The checksum covers the JSON
/// bytes; `length` catches truncation.
enum Snapshot {
    static let magic = "carewatch-snapshot 1"

    /// Writes `state` durably: temp file, fsync, rename, fsync the directory. A crash at any
    /// point leaves either the old set of snapshots or the new one, never a half file under
    /// a snapshot name. The body is streamed in ~1 MiB chunks (CRC computed on the way), so
    /// a big store needs no second copy of itself in memory; the header, whose length field
    /// is fixed-width, is filled in last.
    static func write(_ state: StoreState, to directory: DataDirectory) throws(StoreError) -> String {
        let finalPath = directory.snapshotPath(state.generation)
        let temporaryPath = finalPath + ".tmp"
        let fileSystem = directory.fileSystem
        let descriptor = try fileSystem.open(temporaryPath, create: true, truncate: true)
        func header(length: Int, crc: UInt32) -> [UInt8] {
            Array("\(magic) generation=\(state.generation) committed_at=\(state.committedAt.secondsSince1970) changes=\(state.history.latest) length=\(DataDirectory.padded(UInt64(length))) crc32=\(CRC32.hex(crc))\n".utf8)
        }
        do throws(StoreError) {
            try fileSystem.writeAll(descriptor, header(length: 0, crc: 0), path: temporaryPath)
            var output = SnapshotOutput(descriptor: descriptor, path: temporaryPath, fileSystem: fileSystem)
            output.writer.beginObject()
            output.writer.key("generation")
            output.writer.value(state.generation)
            output.writer.key("change_sequence")
            output.writer.value(state.history.latest)
            output.writer.key("history_floor")
            output.writer.value(state.history.floor)
            for section in SnapshotSection.all {
                output.writer.key(section.name)
                output.writer.beginArray()
                try section.write(state, &output)
                output.writer.endArray()
            }
            output.writer.endObject()
            try output.flush()
            guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw StoreError.io(operation: "lseek", path: temporaryPath, errno: errno) }
            try fileSystem.writeAll(descriptor, header(length: output.length, crc: output.crc), path: temporaryPath)
            try fileSystem.sync(descriptor, path: temporaryPath)
        } catch {
            _ = close(descriptor)
            fileSystem.remove(temporaryPath)
            throw error
        }
        _ = close(descriptor)
        do {
            try fileSystem.rename(temporaryPath, finalPath)
        } catch {
            fileSystem.remove(temporaryPath)
            throw error
        }
        try fileSystem.syncDirectory(directory.path)
        return finalPath
    }

    /// Reads and checks one snapshot. Throws `.unrecoverable` naming the file and the problem.
    ///
    /// The file is mapped, not read into memory. One thread computes the checksum while this
    /// one parses, and each gives back the pages it has passed, so the peak is the decoded
    /// records plus a few windows of the file. Records are decoded before the checksum over
    /// them is known; nothing is used until the whole body checks out, and a body that does
    /// not parse is reported as a checksum mismatch when it is one.
    static func read(path: String, fileSystem: FileSystem) throws(StoreError) -> StoreState {
        func bad(_ reason: String) -> StoreError { .unrecoverable("snapshot \(path) is damaged: \(reason)") }
        let file = try MappedFile(path: path)
        let bytes = file.bytes
        guard let newline = bytes.prefix(4096).firstIndex(of: 0x0A) else { throw bad("no header line") }
        let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<newline]), as: UTF8.self)
        guard let fields = headerFields(line) else { throw bad("not a carewatch snapshot header") }
        guard let generation = fields["generation"].flatMap(UInt64.init), let length = fields["length"].flatMap(Int.init),
              let expectedCRC = fields["crc32"], let committed = fields["committed_at"].flatMap(Int64.init) else {
            throw bad("header lacks generation, committed_at, length or crc32")
        }
        let bodyStart = newline + 1
        let body = UnsafeBufferPointer(rebasing: bytes[bodyStart...])
        guard body.count == length else { throw bad("body is \(body.count) bytes, header says \(length) (truncated?)") }

        let checksum = BackgroundChecksum(file: file, from: bodyStart)
        let progress = ReadProgress(file: file, offset: bodyStart)
        var state = StoreState()
        state.generation = generation
        state.committedAt = Timestamp(secondsSince1970: committed)
        var documentGeneration: UInt64?
        var changeSequence: UInt64?
        var historyFloor: UInt64?
        var decodeFailure: String?
        do {
            let byName = Dictionary(uniqueKeysWithValues: SnapshotSection.all.map { ($0.name, $0) })
            try JSONParser.streamObject(body) { key, parser in
                switch key {
                case "generation":
                    documentGeneration = try parser.parseValue(depth: 1).intValue.map(UInt64.init)
                    return
                case "change_sequence":
                    changeSequence = try parser.parseValue(depth: 1).intValue.map(UInt64.init)
                    return
                case "history_floor":
                    historyFloor = try parser.parseValue(depth: 1).intValue.map(UInt64.init)
                    return
                default:
                    break
                }
                guard let section = byName[key] else {
                    throw SnapshotProblem("\"\(key)\" is not a collection this version of carewatch knows (written by a newer one?)")
                }
                var elements = SnapshotElements(parser: parser, progress: progress)
                try section.read(&elements, &state)
                parser = elements.parser
            }
            for section in SnapshotSection.all { try section.finish(&state) }
            // Before history, the feed's numbers start from the generation (each write made at
            // least one change), so they still only grow.
            let latest = changeSequence ?? generation
            guard state.history.latest <= latest, (historyFloor ?? latest) <= latest else {
                throw SnapshotProblem("history runs past change_sequence \(latest)")
            }
            state.history.finishLoading(floor: historyFloor ?? latest, latest: latest)
        } catch let error as ValidationError {
            decodeFailure = "record does not decode: \(error)"
        } catch let error as SnapshotProblem {
            decodeFailure = error.reason
        } catch {
            decodeFailure = "invalid JSON: \(error)"
        }
        guard CRC32.hex(checksum.result()) == expectedCRC else { throw bad("checksum mismatch") }
        if let decodeFailure { throw bad(decodeFailure) }
        guard documentGeneration == generation else { throw bad("generation in the body does not match the header") }
        return state
    }
}

extension Snapshot {
    /// The header line's fields (`generation`, `committed_at`, `changes`, …), or nil when the
    /// line is not a snapshot header.
    static func headerFields(_ line: String) -> [String: String]? {
        guard line.hasPrefix(magic + " ") else { return nil }
        var fields: [String: String] = [:]
        for part in line.dropFirst(magic.count + 1).split(separator: " ") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        return fields
    }

    /// The newest change sequence a snapshot file's header names, reading nothing else (nil
    /// when the file cannot be read or names none).
    static func changeSequence(path: String, fileSystem: FileSystem) -> UInt64? {
        guard let bytes = try? fileSystem.readPrefix(path, count: 4096), let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        return headerFields(String(decoding: bytes[..<newline], as: UTF8.self))?["changes"].flatMap(UInt64.init)
    }
}

/// One section's array while a snapshot is read: its elements one at a time, and the
/// reader told between them how far the parse has got (to give back the pages behind it).
struct SnapshotElements {
    var parser: Parser
    fileprivate let progress: ReadProgress

    /// Calls `element` with the parser at each element, which it must consume whole.
    mutating func forEach(_ element: (inout Parser) throws -> Void) throws {
        let progress = self.progress
        try parser.forEachElement(depth: 1) { parser in
            progress.reached(parser.index)
            try element(&parser)
        }
    }
}

/// Gives back the mapped pages the parser has passed, a window at a time.
private final class ReadProgress {
    static let window = 8 << 20
    let file: MappedFile
    let offset: Int
    var released = 0

    init(file: MappedFile, offset: Int) {
        self.file = file
        self.offset = offset
    }

    func reached(_ index: Int) {
        guard index - released >= ReadProgress.window else { return }
        file.release(offset + released, offset + index)
        released = index
    }
}

/// The CRC-32 of a mapped file from an offset to its end, computed on a thread of its own
/// while the caller parses, window by window, giving back each window's pages once summed.
private final class BackgroundChecksum: @unchecked Sendable {
    private var crc: UInt32 = 0
    private let done = DispatchSemaphore(value: 0)

    init(file: MappedFile, from start: Int) {
        let thread = Thread { [self] in
            var position = start
            let end = file.bytes.count
            while position < end {
                let next = min(end, position + ReadProgress.window)
                crc = CRC32.checksum(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: file.bytes[position..<next])), initial: crc)
                file.release(position, next)
                position = next
            }
            done.signal()
        }
        thread.name = "carewatch-snapshot-checksum"
        thread.start()
    }

    /// Waits for the checksum.
    func result() -> UInt32 {
        done.wait()
        return crc
    }
}

/// Where a snapshot's body goes while it is written: the JSON writer's buffer, flushed to the
/// file whenever it holds a megabyte, with the running length and checksum of what went out.
struct SnapshotOutput {
    var writer = JSONWriter(capacity: (1 << 20) + 65_536)
    private(set) var crc: UInt32 = 0
    private(set) var length = 0
    let descriptor: Int32
    let path: String
    let fileSystem: FileSystem

    init(descriptor: Int32, path: String, fileSystem: FileSystem) {
        self.descriptor = descriptor
        self.path = path
        self.fileSystem = fileSystem
    }

    mutating func flushIfFull() throws(StoreError) {
        if writer.bytes.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws(StoreError) {
        crc = writer.bytes.withUnsafeBytes { CRC32.checksum($0, initial: crc) }
        length += writer.bytes.count
        try fileSystem.writeAll(descriptor, writer.bytes, path: path)
        writer.bytes.removeAll(keepingCapacity: true)
    }
}

/// A snapshot document that parses but is not one this build can load.
struct SnapshotProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
