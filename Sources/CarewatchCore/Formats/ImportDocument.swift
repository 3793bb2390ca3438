/// What an import produced: records ready for the store, plus the published rows that were
/// deliberately left out. `councils`, `inspections`, `workforce`, `figures` and `neighbours`
/// are the shape that `GET /v1/export` writes and `POST /v1/import` reads.
public struct ImportDocument: Sendable, Equatable {
    public var councils: [Council]
    public var inspections: [Inspection]
    public var workforce: [WorkforceYear]
    /// Published rows of DfE's tidy files: context indicators, England, regions, joint returns.
    public var figures: [FigureRow]
    /// Statistical neighbour lists.
    public var neighbours: [NeighbourList]
    /// Rows of an official file that were not loaded on purpose (abolished authorities, joint
    /// returns, records already in the store). Published files contain these by design, so they
    /// are reported rather than treated as errors.
    public var skipped: [ImportSkip]
    /// The format the bytes were recognised as.
    public var format: ImportFormat?

    public init(
        councils: [Council] = [], inspections: [Inspection] = [], workforce: [WorkforceYear] = [],
        figures: [FigureRow] = [], neighbours: [NeighbourList] = [], skipped: [ImportSkip] = [], format: ImportFormat? = nil
    ) {
        self.councils = councils
        self.inspections = inspections
        self.workforce = workforce
        self.figures = figures
        self.neighbours = neighbours
        self.skipped = skipped
        self.format = format
    }
}

/// One row of an official file that an import left out, and why.
public struct ImportSkip: Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the file where the row starts (the header is line 1).
    public var row: Int?
    public var reason: String

    public init(row: Int?, reason: String) {
        self.row = row
        self.reason = reason
    }

    public var description: String { row.map { "row \($0): \(reason)" } ?? reason }
}

/// The formats `Importer` recognises, by their header row (CSV) or leading `{` (JSON).
public enum ImportFormat: String, Sendable, CaseIterable {
    /// `{"councils":[...],"inspections":[...],"workforce":[...],"figures":[...],"neighbours":[...]}`, the export document.
    case json
    /// The project's own CSV files, with the headers of `data/*.csv` at the package root.
    case councilsCSV = "councils_csv"
    case inspectionsCSV = "inspections_csv"
    case workforceCSV = "workforce_csv"
    /// DfE's `csww_indicators` file as published.
    case dfeWorkforceCSV = "dfe_workforce_csv"
    /// Any other DfE tidy file whose columns the measure catalogue maps (children in need,
    /// children looked after, ONS population, …).
    case dfeTidyCSV = "dfe_tidy_csv"
    /// A DfE statistical neighbour model (2025 or 2021 layout).
    case neighboursCSV = "dfe_neighbours_csv"
    /// A CSV export of one of Ofsted's local-authority inspection-outcome sheets.
    case ofstedCSV = "ofsted_csv"
}

/// One problem with an import: where, which field, what is wrong.
public struct ImportIssue: Sendable, Equatable, CustomStringConvertible {
    /// CSV: the 1-based line where the record starts (header = 1). JSON: nil (the field names the path).
    public var row: Int?
    /// The column name, or a JSON path such as `workforce[3].agency_rate`.
    public var field: String
    public var message: String

    public init(row: Int?, field: String, message: String) {
        self.row = row
        self.field = field
        self.message = message
    }

    public var description: String {
        (row.map { "row \($0), " } ?? "") + (field.isEmpty ? "" : "\(field): ") + message
    }

    /// Why a neighbour file with no model was refused (field `model`). The caller's layer
    /// adds how to give one in its own words: a query parameter, a file's name.
    public static let unnamedNeighbourModel = "this is a statistical neighbour file that does not say which model (year) it is"
}

/// An import that was rejected as a whole. It lists every bad row and field found (up to
/// `ImportError.limit`), so a person can fix a file in one pass rather than one error at a time.
public struct ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public static let limit = 1000

    public var issues: [ImportIssue]
    /// Issues found beyond `limit`, not listed.
    public var omitted: Int
    /// The bytes do not parse as the format at all (malformed JSON, a CSV with an unclosed
    /// quote, a JSON document that is not an object), as opposed to records that break rules.
    public var isMalformed = false

    public init(issues: [ImportIssue], omitted: Int = 0) {
        self.issues = issues
        self.omitted = omitted
    }

    public init(row: Int? = nil, field: String, message: String, isMalformed: Bool = false) {
        self.init(issues: [ImportIssue(row: row, field: field, message: message)])
        self.isMalformed = isMalformed
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n") + (omitted > 0 ? "\n… and \(omitted) more" : "")
    }
}

/// Collects issues while a whole file is checked, so nothing is applied unless every row is good.
struct IssueCollector {
    private(set) var issues: [ImportIssue] = []
    private(set) var omitted = 0

    var isEmpty: Bool { issues.isEmpty && omitted == 0 }

    mutating func add(row: Int?, field: String, _ message: String) {
        if issues.count < ImportError.limit {
            issues.append(ImportIssue(row: row, field: field, message: message))
        } else {
            omitted += 1
        }
    }

    /// Adds the domain's own rule violations for the record on `row`. CSV columns carry the
    /// judgement names without the JSON object prefix, so `judgements.leadership` becomes
    /// `leadership`. Returns whether the record was valid.
    @discardableResult
    mutating func add(row: Int?, _ errors: [FieldError]) -> Bool {
        for error in errors {
            let field = error.field.hasPrefix("judgements.") ? String(error.field.dropFirst("judgements.".count)) : error.field
            add(row: row, field: field, error.message)
        }
        return errors.isEmpty
    }

    func check() throws(ImportError) {
        if !isEmpty { throw ImportError(issues: issues, omitted: omitted) }
    }
}
