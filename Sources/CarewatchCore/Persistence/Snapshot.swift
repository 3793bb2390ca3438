/// A snapshot file: one header line, then the JSON document.
///
///     carewatch-snapshot 1 generation=1234 committed_at=1763892000 length=456789 crc32=89abcdef
///     {"generation":1234,"councils":[…],"inspections":[…],"workforce":[…]}
///
/// All three collections come from one immutable `StoreState`, so a snapshot is one
/// consistent generation. The checksum covers the JSON bytes; `length` catches truncation.
enum Snapshot {
    static let magic = "carewatch-snapshot 1"

    static func encode(_ state: StoreState) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + state.workforceCount * 260 + state.inspectionCount * 600)
        writer.beginObject()
        writer.key("generation")
        writer.value(state.generation)
        writer.key("councils")
        writer.beginArray()
        for council in state.councilsAll() { council.writeStorageJSON(into: &writer) }
        writer.endArray()
        writer.key("inspections")
        writer.beginArray()
        for inspection in state.inspectionsAll() { inspection.writeStorageJSON(into: &writer) }
        writer.endArray()
        writer.key("workforce")
        writer.beginArray()
        for row in state.workforceAll() { row.writeStorageJSON(into: &writer) }
        writer.endArray()
        writer.endObject()
        let body = writer.bytes
        let header = "\(magic) generation=\(state.generation) committed_at=\(state.committedAt.secondsSince1970) length=\(body.count) crc32=\(CRC32.hex(CRC32.checksum(body)))\n"
        return Array(header.utf8) + body
    }

    /// Writes `state` durably: temp file, fsync, rename, fsync the directory. A crash at any
    /// point leaves either the old set of snapshots or the new one, never a half file under
    /// a snapshot name.
    static func write(_ state: StoreState, to directory: DataDirectory) throws(StoreError) -> String {
        let bytes = encode(state)
        let finalPath = directory.snapshotPath(state.generation)
        let temporaryPath = finalPath + ".tmp"
        let fileSystem = directory.fileSystem
        let descriptor = try fileSystem.open(temporaryPath, create: true, truncate: true)
        do {
            try fileSystem.writeAll(descriptor, bytes, path: temporaryPath)
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
