/// A snapshot file: one header line, then the JSON document.
///
///     carewatch-snapshot 1 generation=1234 committed_at=1763892000 length=456789 crc32=89abcdef
///     {"generation":1234,"councils":[…],"inspections":[…],"workforce":[…]}
///
/// All three collections come from one immutable `StoreState`, so a snapshot is one
/// consistent generation. The checksum covers the JSON bytes; `length` catches truncation.
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
            Array("\(magic) generation=\(state.generation) committed_at=\(state.committedAt.secondsSince1970) length=\(DataDirectory.padded(UInt64(length))) crc32=\(CRC32.hex(crc))\n".utf8)
        }
        do throws(StoreError) {
            try fileSystem.writeAll(descriptor, header(length: 0, crc: 0), path: temporaryPath)
            var crc: UInt32 = 0
            var length = 0
            var writer = JSONWriter(capacity: (1 << 20) + 65_536)
            func flush(force: Bool = false) throws(StoreError) {
                guard force || writer.bytes.count >= 1 << 20 else { return }
                crc = writer.bytes.withUnsafeBytes { CRC32.checksum($0, initial: crc) }
                length += writer.bytes.count
                try fileSystem.writeAll(descriptor, writer.bytes, path: temporaryPath)
                writer.bytes.removeAll(keepingCapacity: true)
            }
            writer.beginObject()
            writer.key("generation")
            writer.value(state.generation)
            writer.key("councils")
            writer.beginArray()
            for council in state.councilsAll() { council.writeStorageJSON(into: &writer) }
            writer.endArray()
            try flush()
            writer.key("inspections")
            writer.beginArray()
            for inspection in state.inspectionsAll() {
                inspection.writeStorageJSON(into: &writer)
                try flush()
            }
            writer.endArray()
            writer.key("workforce")
            writer.beginArray()
            for code in state.workforceByCouncil.keys.sorted() {
                for row in state.workforceByCouncil[code]! { row.writeStorageJSON(into: &writer) }
                try flush()
            }
            writer.endArray()
            writer.endObject()
            try flush(force: true)
            guard lseek(descriptor, 0, SEEK_SET) == 0 else { throw StoreError.io(operation: "lseek", path: temporaryPath, errno: errno) }
            try fileSystem.writeAll(descriptor, header(length: length, crc: crc), path: temporaryPath)
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
    static func read(path: String, fileSystem: FileSystem) throws(StoreError) -> StoreState {
        func bad(_ reason: String) -> StoreError { .unrecoverable("snapshot \(path) is damaged: \(reason)") }
        // The file bytes and the decoded records are each large for a big store: the scope
        // below lets the bytes go before the indexes are built.
        var header: (generation: UInt64, committed: Int64)
        var documentGeneration: UInt64?
        var councils: [Council] = [], inspections: [Inspection] = [], workforce: [WorkforceYear] = []
        do {
            let bytes = try fileSystem.readFile(path)
            guard let newline = bytes.firstIndex(of: 0x0A) else { throw bad("no header line") }
            let line = String(decoding: bytes[..<newline], as: UTF8.self)
            guard line.hasPrefix(magic + " ") else { throw bad("not a carewatch snapshot header") }
            var fields: [String: String] = [:]
            for part in line.dropFirst(magic.count + 1).split(separator: " ") {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
            }
            guard let generation = fields["generation"].flatMap(UInt64.init), let length = fields["length"].flatMap(Int.init),
                  let crc = fields["crc32"], let committed = fields["committed_at"].flatMap(Int64.init) else {
                throw bad("header lacks generation, committed_at, length or crc32")
            }
            header = (generation, committed)
            let body = bytes[(newline + 1)...]
            guard body.count == length else { throw bad("body is \(body.count) bytes, header says \(length) (truncated?)") }
            guard CRC32.hex(CRC32.checksum(body)) == crc else { throw bad("checksum mismatch") }
            // Records are decoded as the parser reaches them; no tree of the whole file.
            do {
                try JSONParser.streamObjectOfArrays(body, element: { key, value in
                    switch key {
                    case "councils": councils.append(try Council(json: value, storage: true))
                    case "inspections": inspections.append(try Inspection(json: value, storage: true))
                    case "workforce": workforce.append(try WorkforceYear(json: value, storage: true))
                    default: break
                    }
                }, member: { key, value in
                    if key == "generation" { documentGeneration = value.intValue.map(UInt64.init) }
                })
            } catch let error as ValidationError {
                throw bad("record does not decode: \(error)")
            } catch {
                throw bad("invalid JSON: \(error)")
            }
        }
        guard documentGeneration == header.generation else { throw bad("generation in the body does not match the header") }
        return StoreState(generation: header.generation, committedAt: Timestamp(secondsSince1970: header.committed), councils: councils,
                          inspections: inspections, workforce: workforce)
    }
}

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
