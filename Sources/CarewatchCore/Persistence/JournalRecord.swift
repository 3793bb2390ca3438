/// One committed write, as one line of a journal segment:
///
///     {"seq":42,"at":1763892000,"origin":{"kind":"write",…},"change_seq":[1201,1201],"changes":[{"op":"put_council","value":{…}}],"crc32":"1a2b3c4d"}
///
/// `origin` says what made the write and `change_seq` the change-feed numbers its records
/// got (first and last), so replay rebuilds history exactly as it was served. Both are
/// optional: a journal written before carewatch kept history has neither, and replay then
/// numbers its changes after the ones before.
///
/// The CRC covers every byte before `,"crc32":` so a torn or bit-flipped record is detected
/// before its JSON is trusted; the line is still plain JSON for people and tools.
struct JournalRecord: Sendable {
    var sequence: UInt64
    var at: Timestamp
    var changes: [Change]
    var origin: Origin? = nil
    var changeSequence: ClosedRange<UInt64>? = nil

    static let checksumSuffixLength = 20   // ,"crc32":"xxxxxxxx"}

    func encode() -> [UInt8] {
        // Room for a workforce row with an API write's origin, so the buffer never grows.
        var writer = JSONWriter(capacity: 1024)
        writer.appendRaw("{\"seq\":")
        writer.append(integer: Int64(sequence))
        writer.appendRaw(",\"at\":")
        writer.append(integer: at.secondsSince1970)
        if let origin {
            writer.appendRaw(",\"origin\":")
            origin.appendJournalJSON(to: &writer)
        }
        if let changeSequence {
            writer.appendRaw(",\"change_seq\":[")
            writer.append(integer: Int64(changeSequence.lowerBound))
            writer.appendRaw(",")
            writer.append(integer: Int64(changeSequence.upperBound))
            writer.appendRaw("]")
        }
        writer.appendRaw(",\"changes\":")
        writer.beginArray()
        for change in changes { change.writeJSON(into: &writer) }
        writer.endArray()
        let crc = CRC32.checksum(writer.bytes)
        writer.appendRaw(",\"crc32\":\"")
        for shift in stride(from: 28, through: 0, by: -4) {
            let digit = UInt8((crc >> UInt32(shift)) & 0xF)
            writer.bytes.append(digit < 10 ? digit + 48 : digit + 87)
        }
        writer.appendRaw("\"}\n")
        return writer.bytes
    }

    /// Decodes one line (without its newline), or says why it is not a valid record.
    static func decode(_ line: ArraySlice<UInt8>) -> Result<JournalRecord, JournalDamage> {
        guard line.count > checksumSuffixLength else { return .failure(JournalDamage("record too short")) }
        let payloadEnd = line.endIndex - checksumSuffixLength
        let suffix = Array(line[payloadEnd...])
        let prefix = Array(",\"crc32\":\"".utf8)
        guard Array(suffix[0..<10]) == prefix, suffix[18] == UInt8(ascii: "\""), suffix[19] == UInt8(ascii: "}") else {
            return .failure(JournalDamage("no checksum at the end of the record"))
        }
        let expected = String(decoding: suffix[10..<18], as: UTF8.self)
        guard CRC32.hex(CRC32.checksum(line[line.startIndex..<payloadEnd])) == expected else {
            return .failure(JournalDamage("checksum mismatch"))
        }
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch { return .failure(JournalDamage("invalid JSON: \(error)")) }
        guard let sequence = json["seq"]?.intValue, sequence > 0, let at = json["at"]?.intValue,
              let changeValues = json["changes"]?.arrayValue else {
            return .failure(JournalDamage("record lacks seq, at or changes"))
        }
        var changes: [Change] = []
        for value in changeValues {
            do { changes.append(try Change(journal: value)) } catch { return .failure(JournalDamage("undecodable change: \(error)")) }
        }
        var record = JournalRecord(sequence: UInt64(sequence), at: Timestamp(secondsSince1970: Int64(at)), changes: changes)
        if let origin = json["origin"] {
            do { record.origin = try Origin(storage: origin) } catch { return .failure(JournalDamage("undecodable origin: \(error)")) }
        }
        if let range = json["change_seq"] {
            guard let bounds = range.arrayValue?.compactMap(\.intValue), bounds.count == 2, bounds[0] > 0, bounds[0] <= bounds[1] else {
                return .failure(JournalDamage("change_seq is not [first, last]"))
            }
            record.changeSequence = UInt64(bounds[0])...UInt64(bounds[1])
        }
        return .success(record)
    }
}

struct JournalDamage: Error, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
