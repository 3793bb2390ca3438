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
    private struct Cursor {
        enum Section: Int { case start, councils, inspections, workforce, figures, neighbours, end, done }
        var section = Section.start
        var index = 0
        var writer = JSONWriter(capacity: 0)
    }

    private let councils: [Council]
    private let inspections: [Inspection]
    private let workforce: [WorkforceYear]
    private let figures: [FigureRow]
    private let neighbours: [NeighbourList]
    private let latest: @Sendable (String) -> Inspection?
    private let chunkSize: Int
    private let cursor: Mutex<Cursor>

    init(councils: [Council], inspections: [Inspection], workforce: [WorkforceYear], figures: [FigureRow],
         neighbours: [NeighbourList], latest: @escaping @Sendable (String) -> Inspection?, pretty: Bool, chunkSize: Int) {
        cursor = Mutex(Cursor(writer: JSONWriter(pretty: pretty, capacity: 0)))
        self.councils = councils
        self.inspections = inspections
        self.workforce = workforce
        self.figures = figures
        self.neighbours = neighbours
        self.latest = latest
        self.chunkSize = chunkSize
    }

    func next() -> [UInt8]? {
        cursor.withLock { cursor -> [UInt8]? in
            guard cursor.section != .done else { return nil }
            cursor.writer.bytes.reserveCapacity(chunkSize + 1024)
            while cursor.writer.bytes.count < chunkSize, cursor.section != .done {
                switch cursor.section {
                case .start:
                    cursor.writer.beginObject()
                    cursor.writer.key("councils")
                    cursor.writer.beginArray()
                    cursor.section = .councils
                case .councils:
                    if cursor.index < councils.count {
                        let council = councils[cursor.index]
                        council.writeJSON(into: &cursor.writer, latest: latest(council.code))
                        cursor.index += 1
                    } else {
                        cursor.writer.endArray()
                        cursor.writer.key("inspections")
                        cursor.writer.beginArray()
                        cursor.section = .inspections
                        cursor.index = 0
                    }
                case .inspections:
                    if cursor.index < inspections.count {
                        inspections[cursor.index].writeJSON(into: &cursor.writer)
                        cursor.index += 1
                    } else {
                        cursor.writer.endArray()
                        cursor.writer.key("workforce")
                        cursor.writer.beginArray()
                        cursor.section = .workforce
                        cursor.index = 0
                    }
                case .workforce:
                    if cursor.index < workforce.count {
                        workforce[cursor.index].writeJSON(into: &cursor.writer)
                        cursor.index += 1
                    } else {
                        cursor.writer.endArray()
                        cursor.writer.key("figures")
                        cursor.writer.beginArray()
                        cursor.section = .figures
                        cursor.index = 0
                    }
                case .figures:
                    if cursor.index < figures.count {
                        figures[cursor.index].writeJSON(into: &cursor.writer)
                        cursor.index += 1
                    } else {
                        cursor.writer.endArray()
                        cursor.writer.key("neighbours")
                        cursor.writer.beginArray()
                        cursor.section = .neighbours
                        cursor.index = 0
                    }
                case .neighbours:
                    if cursor.index < neighbours.count {
                        neighbours[cursor.index].writeJSON(into: &cursor.writer)
                        cursor.index += 1
                    } else {
                        cursor.writer.endArray()
                        cursor.writer.endObject()
                        cursor.section = .end
                    }
                case .end:
                    cursor.section = .done
                case .done:
                    break
                }
            }
            let chunk = cursor.writer.bytes
            cursor.writer.bytes = []
            return chunk.isEmpty ? nil : chunk
        }
    }
}
