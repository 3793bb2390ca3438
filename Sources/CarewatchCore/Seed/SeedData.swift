/// The default data set compiled into the binary: every English council with children's
/// services duties, their Ofsted inspection history, and DfE's published figures (workforce,
/// children in need, child protection, children looked after, ONS population, statistical
/// neighbour models), as published (see `provenance`). A new store starts from this document.
///
/// The councils and inspections come from the project's own CSV files (`data/councils.csv`,
/// `data/inspections.csv`); everything DfE publishes is read from DfE's files themselves,
/// through the same importer `POST /v1/import` and `carewatch import` use, so suppression
/// symbols, England's and the regions' rows and joint returns arrive exactly as published,
/// and a later release loads the same way.
public enum SeedData {
    /// The official files the seed reads, in this order, each under its published name.
    public static let officialFiles = [
        "csww_indicators_2017_to_2025.csv",
        "b1_children_in_need_2013_to_2025.csv",
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "d3_cpps_subsequent_plan_2013_to_2025.csv",
        "d5_cpps_at31march_by_duration_2013_to_2025.csv",
        "cla_number_and_rate_per_10k_children.csv",
        "la_cla_swcount.csv",
        "ons_mid-year_population_estimates_2012_to_2024.csv",
        "sn_model_2025_wide.csv",
        "New_Statistical_Neighbour_Groupings_April_2021.csv",
    ]

    /// The seed as an import document. Parsed once, on first use; the embedded files are
    /// checked by tests, so a failure here is a build defect and stops the process.
    public static func defaultDocument() -> ImportDocument { cached }

    private static let cached: ImportDocument = {
        let files = EmbeddedSeedData.files
        do {
            var document = try parse(councils: Array((files["councils.csv"] ?? "").utf8),
                                     inspections: Array((files["inspections.csv"] ?? "").utf8))
            let context = ImportContext(councils: document.councils)
            for name in officialFiles {
                let published = try Importer.parse(Array((files[name] ?? "").utf8), as: .csv, existing: context, sourceName: name)
                document.workforce += published.workforce
                document.figures += published.figures
                document.neighbours += published.neighbours
                document.skipped += published.skipped.map { ImportSkip(row: $0.row, reason: "\(name): \($0.reason)") }
            }
            return document
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
        "Department for Education, Children in need and Children looked after in England (tidy files b1, c1, d3, d5, cla, la_cla_swcount)",
        "Department for Education, children's services statistical neighbour models 2025 and 2021",
        "Office for National Statistics, mid-year population estimates of children aged 0 to 17 (as DfE publishes them)",
        "Ofsted, Local authority inspection outcomes as at 31 March 2025 and as at 31 March 2024",
        "Ofsted, Children's social care data in England 2023 (underlying data)",
        "Office for National Statistics, LTLA-UTLA lookup April 2023",
    ]

    /// Attribution plus sources, for `/v1` responses, `--version` and the export document.
    public static var licence: String {
        attribution + " Sources: " + sources.joined(separator: "; ") + "."
    }

    /// Parses the project's council and inspection CSV files as one document, councils first
    /// so that inspections can refer to them. Throws every problem in both files.
    static func parse(councils: [UInt8], inspections: [UInt8], existing: [Council] = []) throws(ImportError) -> ImportDocument {
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
        if !allIssues.isEmpty { throw ImportError(issues: allIssues) }
        return document
    }
}

extension ImportDocument {
    /// Every record as a store change, councils first so the rest can refer to them.
    public var changes: [Change] {
        var changes: [Change] = []
        changes.reserveCapacity(councils.count + inspections.count + workforce.count + figures.count + neighbours.count)
        changes += councils.map(Change.putCouncil)
        changes += inspections.map(Change.putInspection)
        changes += workforce.map(Change.putWorkforce)
        changes += figures.map(Change.putFigures)
        changes += neighbours.map(Change.putNeighbours)
        return changes
    }
}
