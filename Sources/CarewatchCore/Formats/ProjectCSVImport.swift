/// The project's own CSV files (`data/*.csv` at the package root, and what `?format=csv` exports): one reader
/// per resource. Unlike the official files, these are ours, so every cell must make sense:
/// an unknown council, grade or column is an error, not a skip.
enum ProjectCSVImport {
    static let councilColumns = ["code", "la_code", "name", "region", "kind", "former_codes"]
    /// `slug` is derived from the name when absent; the `latest_*` and `updated_at` columns of
    /// an export are the server's to compute, so they are accepted and ignored.
    static let councilOptional: Set<String> = ["slug", "former_codes", "updated_at", "latest_inspection_id", "latest_published", "latest_overall"]

    static let inspectionColumns = [
        "council", "framework", "inspection_type", "started", "published", "overall", "help_and_protection",
        "children_in_care", "care_leavers", "leadership", "visit_theme", "report_url", "source",
    ]
    /// `id` and `summary` come from exports; the `source_*` columns describe where the seed's
    /// rows were read and are accepted but not stored (the domain keeps `source` only).
    static let inspectionOptional: Set<String> = [
        "id", "type", "inspection_type", "started", "published", "overall", "help_and_protection", "children_in_care",
        "care_leavers", "leadership", "visit_theme", "summary", "report_url", "source", "source_ref",
        "source_la_code", "source_la_name",
    ]

    /// Figure columns and their fields (computed: key paths are not `Sendable`, so they cannot be stored statics).
    static var workforceFigures: [(column: String, keyPath: WritableKeyPath<WorkforceYear, Double?>)] { [
        ("employed_fte", \.employedFTE), ("agency_fte", \.agencyFTE), ("agency_rate", \.agencyRate),
        ("vacancy_fte", \.vacancyFTE), ("vacancy_rate", \.vacancyRate), ("leavers_fte", \.leaversFTE),
        ("turnover_rate", \.turnoverRate), ("caseload", \.caseload), ("absence_rate", \.absenceRate),
        ("asye_share", \.asyeShare),
    ] }
    static let workforceColumns = ["council", "year"] + workforceFigures.map(\.column) + ["source"]

    /// Checks the header: required columns present, no unknown or repeated columns.
    static func checkHeader(_ header: CSVHeader, required: [String], allowed: Set<String>, issues: inout IssueCollector) {
        var seen: Set<String> = []
        for name in header.names {
            if !seen.insert(name).inserted { issues.add(row: 1, field: name, "column appears twice") }
            if !allowed.contains(name) { issues.add(row: 1, field: name, "unknown column") }
        }
        for name in required where !header.contains(name) { issues.add(row: 1, field: name, "required column is missing") }
    }

    // MARK: councils

    static func councils(_ records: ArraySlice<CSVRecord>, header: CSVHeader, directory: inout CouncilDirectory, issues: inout IssueCollector) -> [Council] {
        let required = ["code", "la_code", "name", "region", "kind"]
        checkHeader(header, required: required, allowed: Set(councilColumns).union(councilOptional), issues: &issues)
        guard issues.isEmpty else { return [] }
        var result: [Council] = []
        var rowOfCode: [String: Int] = [:]
        var rowOfSlug: [String: Int] = [:]
        for record in records where !record.isBlank {
            var row = Row(record: record, header: header)
            let code = row.text("code")
            let laCode = row.integer("la_code")
            let name = row.text("name")
            let region: Region? = row.value("region") { Region(rawValue: $0) ?? ($0 == "Inner London" || $0 == "Outer London" ? .london : nil) }
            let kind: CouncilKind? = row.value("kind") { CouncilKind(rawValue: $0) }
            let former = (row.optionalText("former_codes") ?? "").split(separator: ";").map { CSVHeader.normalise(String($0)) }.filter { !$0.isEmpty }
            let explicitSlug = row.optionalText("slug")
            issues.absorb(row)
            if code.isEmpty { issues.add(row: record.line, field: "code", "must not be empty") }
            if name.isEmpty { issues.add(row: record.line, field: "name", "must not be empty") }
            if let earlier = rowOfCode[code], !code.isEmpty {
                issues.add(row: record.line, field: "code", "\(code) is already on row \(earlier)")
            }
            guard let laCode, let region, let kind, !code.isEmpty, !name.isEmpty else { continue }
            rowOfCode[code] = record.line
            var slug = explicitSlug ?? Slug.derive(from: name)
            if let explicitSlug, !Slug.isValid(explicitSlug) {
                issues.add(row: record.line, field: "slug", "must be lowercase letters, digits and single hyphens")
            }
            // A derived slug that another council already holds gets the la_code appended;
            // an explicit one must be unique as given.
            func holder(_ candidate: String) -> String? {
                if let row = rowOfSlug[candidate] { return "row \(row)" }
                if let owner = directory.slugOwner(candidate), owner != code, !rowOfCode.keys.contains(owner) { return owner }
                return nil
            }
            if let other = holder(slug) {
                if explicitSlug != nil {
                    issues.add(row: record.line, field: "slug", "\(slug) is already used by \(other)")
                } else {
                    slug += "-\(laCode)"
                }
            }
            rowOfSlug[slug] = record.line
            let council = Council(code: code, laCode: laCode, slug: slug, name: name, region: region, kind: kind, formerCodes: former)
            guard issues.add(row: record.line, council.validate()) else { continue }
            result.append(council)
        }
        for council in result { directory.add(council) }
        return result
    }

    // MARK: inspections

    static func inspections(_ records: ArraySlice<CSVRecord>, header: CSVHeader, directory: CouncilDirectory, ids: inout InspectionIDAllocator, issues: inout IssueCollector) -> [Inspection] {
        checkHeader(header, required: ["council", "framework"], allowed: inspectionOptional.union(["council", "framework"]), issues: &issues)
        if header.contains("type"), header.contains("inspection_type") {
            issues.add(row: 1, field: "type", "give either type or inspection_type, not both")
        }
        guard issues.isEmpty else { return [] }
        var result: [Inspection] = []
        var rowOfID: [String: Int] = [:]
        for record in records where !record.isBlank {
            var row = Row(record: record, header: header)
            let councilKey = row.text("council")
            let council = directory.council(key: councilKey)
            if council == nil { row.add("council", councilKey.isEmpty ? "must not be empty" : "no council \(councilKey)") }
            let framework: Framework? = row.value("framework") { Framework(rawValue: $0) }
            let type = row.optionalText("inspection_type") ?? row.optionalText("type")
            let started = row.date("started")
            let published = row.date("published")
            let overall = row.grade("overall")
            let judgements = Judgements(
                helpAndProtection: row.grade("help_and_protection"), childrenInCare: row.grade("children_in_care"),
                careLeavers: row.grade("care_leavers"), leadership: row.grade("leadership"))
            let givenID = row.optionalText("id")
            var inspection = Inspection(
                id: "", council: council?.code ?? "", framework: framework ?? .ilacs, type: type,
                visitTheme: row.optionalText("visit_theme"), started: started, published: published, overall: overall,
                judgements: judgements, summary: row.optionalText("summary"), reportURL: row.optionalText("report_url"),
                source: row.optionalText("source"))
            issues.absorb(row)
            guard council != nil, framework != nil, row.isClean else { continue }
            if let givenID {
                inspection.id = givenID
                ids.reserve(givenID, for: inspection)
            } else {
                inspection.id = ids.assign(inspection)
            }
            if let earlier = rowOfID[inspection.id] {
                issues.add(row: record.line, field: givenID == nil ? "" : "id", "the same inspection as row \(earlier)")
                continue
            }
            rowOfID[inspection.id] = record.line
            guard issues.add(row: record.line, inspection.validate()) else { continue }
            result.append(inspection)
        }
        return result
    }

    // MARK: workforce

    static func workforce(_ records: ArraySlice<CSVRecord>, header: CSVHeader, directory: CouncilDirectory, issues: inout IssueCollector) -> [WorkforceYear] {
        checkHeader(header, required: ["council", "year"], allowed: Set(workforceColumns), issues: &issues)
        guard issues.isEmpty else { return [] }
        var result: [WorkforceYear] = []
        var rowOfKey: [String: Int] = [:]
        let figureColumns = workforceFigures.filter { header.contains($0.column) }
        for record in records where !record.isBlank {
            var row = Row(record: record, header: header)
            let councilKey = row.text("council")
            let council = directory.council(key: councilKey)
            if council == nil { row.add("council", councilKey.isEmpty ? "must not be empty" : "no council \(councilKey)") }
            let year = row.integer("year")
            var figures = WorkforceYear(council: council?.code ?? "", year: year ?? 0, source: row.optionalText("source"))
            for (column, keyPath) in figureColumns {
                switch row.figure(column) {
                case .number(let value)?: figures[keyPath: keyPath] = value
                case .symbol(let symbol)?: figures.suppressed[column] = symbol
                case .empty?, nil: break
                }
            }
            issues.absorb(row)
            guard let council, year != nil, row.isClean else { continue }
            let key = "\(council.code)|\(figures.year)"
            if let earlier = rowOfKey[key] {
                issues.add(row: record.line, field: "year", "\(council.code) \(figures.year) is already on row \(earlier)")
                continue
            }
            rowOfKey[key] = record.line
            guard issues.add(row: record.line, figures.validate()) else { continue }
            result.append(figures)
        }
        return result
    }
}

/// Typed access to one record's cells by column name, recording every bad cell.
struct Row {
    let record: CSVRecord
    let header: CSVHeader
    private(set) var problems: [ImportIssue] = []
    var isClean: Bool { problems.isEmpty }

    init(record: CSVRecord, header: CSVHeader) {
        self.record = record
        self.header = header
        if record.fields.count != header.names.count {
            add("", "has \(record.fields.count) fields; the header has \(header.names.count)")
        }
    }

    mutating func add(_ field: String, _ message: String) {
        problems.append(ImportIssue(row: record.line, field: field, message: message))
    }

    /// The trimmed cell, or "" when the column or cell is absent.
    func cell(_ column: String) -> String {
        guard let index = header.column(column), index < record.fields.count else { return "" }
        return CSVHeader.normalise(record.fields[index])
    }

    mutating func text(_ column: String) -> String { cell(column) }

    func optionalText(_ column: String) -> String? {
        let value = cell(column)
        return value.isEmpty ? nil : value
    }

    mutating func value<T>(_ column: String, _ parse: (String) -> T?) -> T? {
        let text = cell(column)
        if text.isEmpty {
            add(column, "must not be empty")
            return nil
        }
        guard let value = parse(text) else {
            add(column, "\(text) is not a valid value")
            return nil
        }
        return value
    }

    mutating func integer(_ column: String) -> Int? {
        let text = cell(column)
        guard !text.isEmpty else {
            add(column, "must not be empty")
            return nil
        }
        guard let value = Int(text) else {
            add(column, "\(text) is not a whole number")
            return nil
        }
        return value
    }

    /// A figure cell: a number, DfE's symbol for a withheld figure, or empty.
    mutating func figure(_ column: String) -> FigureCell? {
        let text = cell(column)
        guard let value = FigureCell(text: text) else {
            add(column, FigureCell.problem(text))
            return nil
        }
        return value
    }

    mutating func date(_ column: String) -> CalendarDate? {
        let text = cell(column)
        guard !text.isEmpty else { return nil }
        guard let value = CalendarDate(iso: text) else {
            add(column, "\(text) is not a date (YYYY-MM-DD)")
            return nil
        }
        return value
    }

    mutating func grade(_ column: String) -> Grade? {
        let text = cell(column)
        guard !text.isEmpty else { return nil }
        guard let value = Grade(rawValue: text) else {
            add(column, "\(text) is not a grade (\(Grade.allCases.map(\.rawValue).joined(separator: ", ")))")
            return nil
        }
        return value
    }
}

extension IssueCollector {
    mutating func absorb(_ row: Row) {
        for problem in row.problems { add(row: problem.row, field: problem.field, problem.message) }
    }
}
