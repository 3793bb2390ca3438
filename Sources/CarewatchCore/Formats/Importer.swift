/// What an import is checked against: the councils and inspections already held. Councils
/// named by the document itself count too, so one document can bring councils and their data.
public struct ImportContext: Sendable {
    public var councils: [Council]
    public var inspections: [Inspection]

    public init(councils: [Council] = [], inspections: [Inspection] = []) {
        self.councils = councils
        self.inspections = inspections
    }
}

/// The two syntaxes an import can be written in. Which one a caller expects (from a request's
/// `Content-Type`, say) is the caller's business; `detect` tells them apart by content.
public enum ImportSyntax: String, Sendable {
    case json, csv

    /// JSON when the first byte after a UTF-8 byte-order mark and blanks is `{` or `[`; CSV
    /// otherwise (a CSV file cannot start with either and still be one of the import formats).
    public static func detect(_ bytes: [UInt8]) -> ImportSyntax {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        let opening = start < bytes.count ? bytes[start] : 0
        return opening == UInt8(ascii: "{") || opening == UInt8(ascii: "[") ? .json : .csv
    }
}

/// Turns an upload into records, all or nothing: every problem in the file is reported
/// (`ImportError`), or the whole document is returned for the store to apply in one write.
/// JSON is the export document; a CSV file's format is recognised by its header row.
public enum Importer {
    /// - Parameters:
    ///   - syntax: how to read the bytes; nil detects it from the content (`ImportSyntax.detect`).
    ///   - sourceName: the uploaded file's name, recorded as each record's `source` for the
    ///     official formats. When nil, the name is inferred as PROVENANCE.md writes it.
    ///   - neighbourModel: which model a statistical neighbour file is (`2025`); when nil, the
    ///     year in `sourceName`.
    public static func parse(
        _ bytes: [UInt8], as syntax: ImportSyntax? = nil, existing: ImportContext, sourceName: String? = nil, neighbourModel: String? = nil
    ) throws(ImportError) -> ImportDocument {
        switch syntax ?? ImportSyntax.detect(bytes) {
        case .json: return try JSONImport.parse(bytes, existing: existing)
        case .csv: return try parseCSV(bytes, existing: existing, sourceName: sourceName, neighbourModel: neighbourModel)
        }
    }

    /// Which CSV format a header row belongs to.
    static func csvFormat(_ header: CSVHeader) -> ImportFormat? {
        if DfEWorkforceImport.isDfEWorkforce(header) { return .dfeWorkforceCSV }
        if EESTidyImport.isTidy(header) { return .dfeTidyCSV }
        if NeighbourImport.layout(of: header) != nil { return .neighboursCSV }
        if OfstedImport.layout(of: header) != nil { return .ofstedCSV }
        if header.contains("code"), header.contains("la_code"), header.contains("kind") { return .councilsCSV }
        if header.contains("council"), header.contains("framework") { return .inspectionsCSV }
        if header.contains("council"), header.contains("year") { return .workforceCSV }
        return nil
    }

    static func parseCSV(_ bytes: [UInt8], existing: ImportContext, sourceName: String?, neighbourModel: String?) throws(ImportError) -> ImportDocument {
        let records: [CSVRecord]
        do {
            records = try CSVReader.records(bytes)
        } catch {
            throw ImportError(row: error.line, field: "", message: error.message, isMalformed: true)
        }
        guard !records.isEmpty else { throw ImportError(field: "", message: "the file is empty") }
        // A whole-sheet export of an Ofsted table keeps its title and description rows above
        // the header; the header is the row whose first cell is "Web link" (data-formats.md §2).
        var headerIndex = 0
        if csvFormat(CSVHeader(records[0].fields)) == nil,
           let found = records.prefix(10).firstIndex(where: { CSVHeader.normalise($0.fields.first ?? "") == "Web link" }) {
            headerIndex = found
        }
        let first = records[headerIndex]
        let header = CSVHeader(first.fields)
        guard let format = csvFormat(header) else {
            throw ImportError(row: first.line, field: "", message: "the header matches no import format (project CSV of councils, inspections or workforce; DfE csww_indicators; a DfE tidy file whose columns GET /v1/measures lists; a DfE statistical neighbour model; an Ofsted inspection-outcomes sheet)")
        }
        let rows = records[(headerIndex + 1)...]
        var issues = IssueCollector()
        var directory = CouncilDirectory(existing.councils)
        var document = ImportDocument(format: format)
        switch format {
        case .councilsCSV:
            document.councils = ProjectCSVImport.councils(rows, header: header, directory: &directory, issues: &issues)
        case .inspectionsCSV:
            var ids = InspectionIDAllocator(existing: existing.inspections)
            document.inspections = ProjectCSVImport.inspections(rows, header: header, directory: directory, ids: &ids, issues: &issues)
        case .workforceCSV:
            document.workforce = ProjectCSVImport.workforce(rows, header: header, directory: directory, issues: &issues)
        case .dfeWorkforceCSV:
            (document.workforce, document.figures) = DfEWorkforceImport.parse(rows, header: header, directory: directory, sourceName: sourceName,
                                                                              skipped: &document.skipped, issues: &issues)
        case .dfeTidyCSV:
            document.figures = EESTidyImport.parse(rows, header: header, directory: directory, sourceName: sourceName,
                                                   skipped: &document.skipped, issues: &issues)
        case .neighboursCSV:
            document.neighbours = NeighbourImport.parse(rows, header: header, layout: NeighbourImport.layout(of: header)!, model: neighbourModel,
                                                        sourceName: sourceName, skipped: &document.skipped, issues: &issues)
        case .ofstedCSV:
            var ids = InspectionIDAllocator(existing: existing.inspections)
            var matcher = InspectionMatcher(existing.inspections)
            for (tableHeader, tableRows) in OfstedImport.tables(header: header, rows: rows) {
                guard let layout = OfstedImport.layout(of: tableHeader) else { continue }
                document.inspections += OfstedImport.parse(
                    tableRows, header: tableHeader, layout: layout, directory: directory, matcher: &matcher,
                    ids: &ids, sourceName: sourceName, skipped: &document.skipped, issues: &issues)
            }
        case .json:
            break
        }
        try issues.check()
        return document
    }
}
