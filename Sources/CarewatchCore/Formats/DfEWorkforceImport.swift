/// DfE's children's social work workforce file (`csww_indicators_…csv`) as published
/// (data-formats.md §1). Each council's own row becomes its `WorkforceYear`; England's and
/// the regions' rows, and the joint returns that DfE publishes as one row for two councils
/// (North and West Northamptonshire; Kingston upon Thames and Richmond upon Thames), become
/// published `FigureRow`s of the `workforce` dataset. Which DfE column is which figure is the
/// catalogue's table. DfE's suppression symbols are kept (`suppressed`), never turned into
/// numbers; rows of authorities that no longer exist are skipped and reported; old GSS codes
/// are matched through each council's former codes.
enum DfEWorkforceImport {
    /// DfE column → workforce figure, from the catalogue.
    static let figureColumns: [(column: String, field: String)] = MeasureCatalog.measures(in: "workforce").compactMap { measure in
        guard case .published(let column, _) = measure.origin else { return nil }
        return (column, measure.id)
    }
    static let identityColumns = ["time_period", "geographic_level", "old_la_code", "new_la_code", "la_name"]

    static func isDfEWorkforce(_ header: CSVHeader) -> Bool {
        header.contains("time_period") && header.contains("geographic_level") && header.contains("inpost_fte")
    }

    static func parse(
        _ records: ArraySlice<CSVRecord>, header: CSVHeader, directory: CouncilDirectory, sourceName: String?,
        skipped: inout [ImportSkip], issues: inout IssueCollector
    ) -> (workforce: [WorkforceYear], figures: [FigureRow]) {
        for name in identityColumns + figureColumns.map(\.column) where !header.contains(name) {
            issues.add(row: 1, field: name, "required column is missing")
        }
        guard issues.isEmpty else { return ([], []) }
        let keyPaths = Dictionary(uniqueKeysWithValues: ProjectCSVImport.workforceFigures.map { ($0.column, $0.keyPath) })
        var workforce: [WorkforceYear] = []
        var figures: [FigureRow] = []
        var rowOfKey: [String: Int] = [:]
        var years: ClosedRange<Int>?
        for record in records where !record.isBlank {
            var row = Row(record: record, header: header)
            guard row.isClean else {
                issues.absorb(row)
                continue
            }
            guard let area = TidyArea.resolve(&row, directory: directory, skipped: &skipped, issues: &issues) else { continue }
            let key = "\(area.code)|\(area.year)"
            if let earlier = rowOfKey[key] {
                issues.add(row: record.line, field: "new_la_code", "\(area.name ?? area.code) \(area.year) is already on row \(earlier)")
                continue
            }
            rowOfKey[key] = record.line
            var values: [String: Double] = [:]
            var suppressed: [String: String] = [:]
            for (column, field) in figureColumns {
                let text = row.cell(column)
                switch FigureCell(text: text) {
                case .number(let value)?: values[field] = value
                case .symbol(let symbol)?: suppressed[field] = symbol
                case .empty?: break
                case nil: issues.add(row: record.line, field: column, FigureCell.problem(text))
                }
            }
            years = years.map { min($0.lowerBound, area.year)...max($0.upperBound, area.year) } ?? area.year...area.year
            if area.level == .localAuthority && !AreaCode.isJoint(area.code) {
                var council = WorkforceYear(council: area.code, year: area.year, suppressed: suppressed)
                for (field, value) in values { council[keyPath: keyPaths[field]!] = value }
                guard issues.add(row: record.line, council.validate()) else { continue }
                workforce.append(council)
            } else {
                let published = FigureRow(dataset: "workforce", area: area.code, level: area.level, name: area.name, year: area.year,
                                          values: values, suppressed: suppressed)
                guard issues.add(row: record.line, published.validate()) else { continue }
                figures.append(published)
            }
        }
        // DfE names its files after the years they cover; that name is each record's `source`.
        let source = sourceName ?? years.map { "csww_indicators_\($0.lowerBound)_to_\($0.upperBound).csv" }
        for index in workforce.indices { workforce[index].source = source }
        for index in figures.indices { figures[index].source = source }
        return (workforce, figures)
    }
}
