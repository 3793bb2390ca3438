import Synchronization

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
    /// The official files the seed imports, in this order, each under its published name, each
    /// as a release. The workforce publication comes as DfE released it year by year (2023,
    /// 2024, then 2025), so a new store already holds what each release revised.
    public static let officialFiles = [
        "csww_indicators_2017_to_2023.csv",
        "csww_indicators_2017_to_2024.csv",
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

    /// What the seeded store holds, as one import document: councils, inspections, and every
    /// official file's records, a later release's row replacing an earlier one's. Parsed once,
    /// on first use; the embedded files are checked by tests, so a failure here is a build
    /// defect and stops the process.
    public static func defaultDocument() -> ImportDocument { merged }

    private struct OfficialFile {
        var name: String
        var bytes: [UInt8]
        var document: ImportDocument
    }

    private static let projectDocument: ImportDocument = {
        do {
            return try parse(councils: Array((EmbeddedSeedData.files["councils.csv"] ?? "").utf8),
                             inspections: Array((EmbeddedSeedData.files["inspections.csv"] ?? "").utf8))
        } catch {
            fatalError("embedded seed data does not parse:\n\(error)")
        }
    }()

    private static let official: [OfficialFile] = {
        let context = ImportContext(councils: projectDocument.councils)
        return officialFiles.map { name in
            let bytes = Array((EmbeddedSeedData.files[name] ?? "").utf8)
            do {
                return OfficialFile(name: name, bytes: bytes, document: try Importer.parse(bytes, as: .csv, existing: context, sourceName: name))
            } catch {
                fatalError("embedded seed file \(name) does not parse:\n\(error)")
            }
        }
    }()

    private static let merged: ImportDocument = {
        var document = projectDocument
        var workforce: [String: Int] = [:], figures: [FigureKey: Int] = [:], neighbours: [String: Int] = [:]
        for file in official {
            for row in file.document.workforce {
                let key = "\(row.council)|\(row.year)"
                if let index = workforce[key] { document.workforce[index] = row } else {
                    workforce[key] = document.workforce.count
                    document.workforce.append(row)
                }
            }
            for row in file.document.figures {
                if let index = figures[row.key] { document.figures[index] = row } else {
                    figures[row.key] = document.figures.count
                    document.figures.append(row)
                }
            }
            for list in file.document.neighbours {
                let key = "\(list.model)|\(list.laCode)"
                if let index = neighbours[key] { document.neighbours[index] = list } else {
                    neighbours[key] = document.neighbours.count
                    document.neighbours.append(list)
                }
            }
            // Each release reports the rows it leaves out; the last one's say what is left out now.
            if file.name.hasPrefix("csww_indicators_") { document.skipped.removeAll { $0.reason.hasPrefix("csww_indicators_") } }
            document.skipped += file.document.skipped.map { ImportSkip(row: $0.row, reason: "\(file.name): \($0.reason)") }
        }
        return document
    }()

    /// The embedded data as a new store holds it: the councils (one write), the inspections
    /// (one write), then each official file imported as a release, in order, all stamped
    /// `time`. Built once per process for a given time (tests start many stores at the same
    /// pinned time); a store takes its own copy of the history.
    static func seededState(at time: Timestamp) -> StoreState {
        seeded.withLock { cached in
            if let cached, cached.time == time { return cached.state }
            let state = buildSeededState(at: time)
            cached = (time, state)
            return state
        }
    }

    private static let seeded = Mutex<(time: Timestamp, state: StoreState)?>(nil)

    private static func buildSeededState(at time: Timestamp) -> StoreState {
        var state = StoreState()
        var sequence: UInt64 = 0
        func commit(_ changes: [Change], _ origin: Origin) {
            sequence += 1
            do {
                try state.apply(changes, sequence: sequence, at: time, origin: origin)
            } catch {
                fatalError("embedded seed data does not apply:\n\(error)")
            }
        }
        let project = projectDocument
        commit(project.councils.map(Change.putCouncil), Origin(kind: .seed, file: fileIdentity("councils.csv", format: .councilsCSV)))
        commit(project.inspections.map(Change.putInspection), Origin(kind: .seed, file: fileIdentity("inspections.csv", format: .inspectionsCSV)))
        for file in official {
            let sha256 = SHA256.hex(file.bytes)
            let identity = FileIdentity(name: file.name, sha256: sha256, format: file.document.format?.rawValue ?? "unknown")
            let release = ReleaseMetadata.describe(file.document, file: identity, in: state)
            commit(file.document.changes, Origin(kind: .release, file: identity, release: release))
        }
        return state
    }

    private static func fileIdentity(_ name: String, format: ImportFormat) -> FileIdentity {
        FileIdentity(name: name, sha256: SHA256.hex(Array((EmbeddedSeedData.files[name] ?? "").utf8)), format: format.rawValue)
    }

    /// The start-up log's line about a new store's data.
    static func seedSummary(_ state: StoreState, directory: String) -> String {
        "seeded \(directory) with the embedded default data: \(state.councilCount) councils, \(state.inspectionCount) inspections, \(state.workforceCount) workforce rows, \(state.figureCount) published figure rows, \(state.neighbourListCount) neighbour lists, from \(state.releases().count) releases (\(state.history.latest) changes in history)"
    }

    /// How every value was derived from the official files (the seed's `PROVENANCE.md`).
    public static var provenance: String { EmbeddedSeedData.files["PROVENANCE.md"] ?? "" }

    /// The attribution the Open Government Licence v3.0 asks for.
    public static let attribution = "Contains public sector information licensed under the Open Government Licence v3.0."

    /// The publishers and files the seed was read from.
    public static let sources = [
        "Department for Education, Children's social work workforce, releases for reporting years 2023, 2024 and 2025 (csww_indicators_2017_to_2023.csv, …_2024.csv, …_2025.csv)",
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
