/// The default data set compiled into the binary: every English council with children's
/// services duties, their Ofsted inspection history and DfE workforce figures, as published
/// (see `provenance`). A new store starts from this document.
public enum SeedData {
    /// The seed as an import document. Parsed once, on first use; the embedded files are
    /// checked by tests, so a failure here is a build defect and stops the process.
    public static func defaultDocument() -> ImportDocument { cached }

    private static let cached: ImportDocument = {
        let files = EmbeddedSeedData.files
        do {
            return try parse(
                councils: Array((files["councils.csv"] ?? "").utf8),
                inspections: Array((files["inspections.csv"] ?? "").utf8),
                workforce: Array((files["workforce.csv"] ?? "").utf8))
        } catch {
            fatalError("embedded seed data does not parse:\n\(error)")
        }
    }()

    /// How every value was derived from the official files (the seed's `PROVENANCE.md`).
    public static var provenance: String { EmbeddedSeedData.files["PROVENANCE.md"] ?? "" }

    /// The attribution the Open Government Licence v3.0 asks for.
    public static let attribution = "Contains public sector information licensed under the Open Government Licence v3.0."

    /// The publishers and files the seed was read from.
    public static let sources = [
        "Department for Education, Children's social work workforce, csww_indicators_2017_to_2025.csv",
        "Ofsted, Local authority inspection outcomes as at 31 March 2025 and as at 31 March 2024",
        "Ofsted, Children's social care data in England 2023 (underlying data)",
        "Office for National Statistics, LTLA-UTLA lookup April 2023",
    ]

    /// Attribution plus sources, for `/v1` responses, `--version` and the export document.
    public static var licence: String {
        attribution + " Sources: " + sources.joined(separator: "; ") + "."
    }

    /// Parses the three project CSV files as one document, councils first so that the other two
    /// can refer to them. Throws every problem in every file.
    static func parse(councils: [UInt8], inspections: [UInt8], workforce: [UInt8], existing: [Council] = []) throws(ImportError) -> ImportDocument {
        var directory = CouncilDirectory(existing)
        var allIssues: [ImportIssue] = []
        func records(_ bytes: [UInt8], _ file: String) -> (CSVHeader, ArraySlice<CSVRecord>)? {
            do {
                let records = try CSVReader.records(bytes)
                guard let first = records.first else {
                    allIssues.append(ImportIssue(row: nil, field: file, message: "file is empty"))
                    return nil
                }
                return (CSVHeader(first.fields), records.dropFirst())
            } catch {
                allIssues.append(ImportIssue(row: error.line, field: file, message: error.message))
                return nil
            }
        }
        func collect(_ issues: IssueCollector, _ file: String) {
            allIssues += issues.issues.map { ImportIssue(row: $0.row, field: "\(file): \($0.field)", message: $0.message) }
        }
        var document = ImportDocument()
        if let (header, rows) = records(councils, "councils.csv") {
            var issues = IssueCollector()
            document.councils = ProjectCSVImport.councils(rows, header: header, directory: &directory, issues: &issues)
            collect(issues, "councils.csv")
        }
        if let (header, rows) = records(inspections, "inspections.csv") {
            var issues = IssueCollector()
            var ids = InspectionIDAllocator(existing: [])
            document.inspections = ProjectCSVImport.inspections(rows, header: header, directory: directory, ids: &ids, issues: &issues)
            collect(issues, "inspections.csv")
        }
        if let (header, rows) = records(workforce, "workforce.csv") {
            var issues = IssueCollector()
            document.workforce = ProjectCSVImport.workforce(rows, header: header, directory: directory, issues: &issues)
            collect(issues, "workforce.csv")
        }
        if !allIssues.isEmpty { throw ImportError(issues: allIssues) }
        return document
    }
}
