import Synchronization

/// The whole data set as one JSON document,
/// `{"councils":[...],"inspections":[...],"workforce":[...],"figures":[...],"neighbours":[...]}`,
/// the shape `Importer` reads back. It is produced in chunks on demand, so a large store is
/// never held as one buffer and a slow client only costs the chunk in flight.
public enum Exporter {
    public static let defaultChunkSize = 64 * 1024

    /// A source of the document in chunks of about `chunkSize` bytes (a chunk closes after
    /// the record that crosses it). Returns nil once the document is complete. Safe to call
    /// from any thread; calls are serialised.
    public static func documentChunks(
        councils: [Council], inspections: [Inspection], workforce: [WorkforceYear], figures: [FigureRow] = [],
        neighbours: [NeighbourList] = [], latest: @escaping @Sendable (String) -> Inspection?, pretty: Bool = false,
        chunkSize: Int = defaultChunkSize
    ) -> @Sendable () -> [UInt8]? {
        let stream = ExportStream(councils: councils, inspections: inspections, workforce: workforce, figures: figures,
                                  neighbours: neighbours, latest: latest, pretty: pretty, chunkSize: max(1, chunkSize))
        return { stream.next() }
    }

    /// The whole document at once (CLI `export`, tests).
    public static func document(
        councils: [Council], inspections: [Inspection], workforce: [WorkforceYear], figures: [FigureRow] = [],
        neighbours: [NeighbourList] = [], latest: @escaping @Sendable (String) -> Inspection? = { _ in nil }
    ) -> [UInt8] {
        let next = documentChunks(councils: councils, inspections: inspections, workforce: workforce, figures: figures,
                                  neighbours: neighbours, latest: latest)
        var bytes: [UInt8] = []
        while let chunk = next() { bytes += chunk }
        return bytes
    }

    // CSV renderings of the list resources (see `CSVExport`).
    public static func councilsCSV(_ councils: [Council], latest: (Council) -> Inspection? = { _ in nil }) -> [UInt8] {
        CSVExport.councils(councils, latest: latest)
    }

    public static func inspectionsCSV(_ inspections: [Inspection]) -> [UInt8] { CSVExport.inspections(inspections) }

    public static func workforceCSV(_ rows: [WorkforceYear]) -> [UInt8] { CSVExport.workforce(rows) }
}

/// The position in the export document between chunks.
private final class ExportStream: Sendable {
    /// One of the document's arrays: its key, its length, and how to write its nth record.
    private struct Section: Sendable {
        let key: String
        let count: Int
        let write: @Sendable (Int, inout JSONWriter) -> Void
    }

    private struct Cursor {
        /// The section being written; -1 before the document's opening brace.
        var section = -1
        var index = 0
        var done = false
        var writer = JSONWriter(capacity: 0)
    }

    private let sections: [Section]
    private let chunkSize: Int
    private let cursor: Mutex<Cursor>

    init(councils: [Council], inspections: [Inspection], workforce: [WorkforceYear], figures: [FigureRow],
         neighbours: [NeighbourList], latest: @escaping @Sendable (String) -> Inspection?, pretty: Bool, chunkSize: Int) {
        cursor = Mutex(Cursor(writer: JSONWriter(pretty: pretty, capacity: 0)))
        sections = [
            Section(key: "councils", count: councils.count) { index, writer in
                let council = councils[index]
                council.writeJSON(into: &writer, latest: latest(council.code))
            },
            Section(key: "inspections", count: inspections.count) { inspections[$0].writeJSON(into: &$1) },
            Section(key: "workforce", count: workforce.count) { workforce[$0].writeJSON(into: &$1) },
            Section(key: "figures", count: figures.count) { figures[$0].writeJSON(into: &$1) },
            Section(key: "neighbours", count: neighbours.count) { neighbours[$0].writeJSON(into: &$1) },
        ]
        self.chunkSize = chunkSize
    }

    func next() -> [UInt8]? {
        cursor.withLock { cursor -> [UInt8]? in
            guard !cursor.done else { return nil }
            cursor.writer.bytes.reserveCapacity(chunkSize + 1024)
            while cursor.writer.bytes.count < chunkSize, !cursor.done {
                if cursor.section >= 0, cursor.index < sections[cursor.section].count {
                    sections[cursor.section].write(cursor.index, &cursor.writer)
                    cursor.index += 1
                    continue
                }
                // The section is finished (or the document not begun): close it, open the next.
                if cursor.section < 0 { cursor.writer.beginObject() } else { cursor.writer.endArray() }
                cursor.section += 1
                cursor.index = 0
                if cursor.section < sections.count {
                    cursor.writer.key(sections[cursor.section].key)
                    cursor.writer.beginArray()
                } else {
                    cursor.writer.endObject()
                    cursor.done = true
                }
            }
            let chunk = cursor.writer.bytes
            cursor.writer.bytes = []
            return chunk.isEmpty ? nil : chunk
        }
    }
}
