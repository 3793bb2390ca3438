/// DfE's tidy CSV files as Explore Education Statistics publishes them: one row per area and
/// year (`time_period`, `geographic_level`, `region_code`, `old_la_code`, `new_la_code`,
/// `la_name`) and the figures in named columns. Which columns become which measures is the
/// catalogue's table (`MeasureCatalog`), not code here: a file is recognised by its columns,
/// so next year's file of the same publication loads as it is.
///
/// Every level is kept: England and regional rows are DfE's own published figures, which the
/// comparison prefers to anything pooled. Council rows are matched to current councils
/// through former codes (Barnsley's E08000016); rows of authorities that no longer exist are
/// skipped and reported with their successors. Cells keep DfE's symbols; a cell that is
/// neither a number nor a known symbol rejects the file.
enum EESTidyImport {
    static let identityColumns = ["time_period", "geographic_level", "new_la_code"]

    static func isTidy(_ header: CSVHeader) -> Bool {
        identityColumns.allSatisfy(header.contains) && !MeasureCatalog.datasets(matching: header).isEmpty
    }

    static func parse(
        _ records: ArraySlice<CSVRecord>, header: CSVHeader, directory: CouncilDirectory, sourceName: String?,
        skipped: inout [ImportSkip], issues: inout IssueCollector
    ) -> [FigureRow] {
        let datasets = MeasureCatalog.datasets(matching: header).map { ($0, $0.columns) }
        var rows: [FigureKey: FigureRow] = [:]
        var order: [FigureKey] = []
        var firstLine: [FigureKey: Int] = [:]
        var lineOf: [CellKey: Int] = [:]
        for record in records where !record.isBlank {
            var row = Row(record: record, header: header)
            guard row.isClean else {
                issues.absorb(row)
                continue
            }
            // Which datasets' filters this row passes, before anything else is checked.
            let wanted = datasets.compactMap { dataset, columns -> (Dataset, [(measure: String, column: String)])? in
                let columns = columns.filter { entry in entry.filter.map { row.cell($0.column) == $0.value } ?? true }
                return columns.isEmpty ? nil : (dataset, columns.map { ($0.measure, $0.column) })
            }
            guard !wanted.isEmpty else { continue }
            guard let area = TidyArea.resolve(&row, directory: directory, skipped: &skipped, issues: &issues) else { continue }
            for (dataset, columns) in wanted {
                let key = FigureKey(dataset: dataset.id, area: area.code, year: area.year)
                var figures = rows[key] ?? FigureRow(dataset: dataset.id, area: area.code, level: area.level, name: area.name,
                                                     year: area.year, source: sourceName)
                for (measure, column) in columns {
                    let text = row.cell(column)
                    guard let cell = FigureCell(text: text) else {
                        issues.add(row: record.line, field: column, FigureCell.problem(text))
                        continue
                    }
                    let cellKey = CellKey(row: key, measure: measure)
                    if let earlier = lineOf[cellKey] {
                        issues.add(row: record.line, field: column, "\(area.name ?? area.code) \(area.year) is already on row \(earlier)")
                        continue
                    }
                    lineOf[cellKey] = record.line
                    switch cell {
                    case .number(let value): figures.values[measure] = value
                    case .symbol(let symbol): figures.suppressed[measure] = symbol
                    case .empty: break
                    }
                }
                if rows[key] == nil {
                    order.append(key)
                    firstLine[key] = record.line
                }
                rows[key] = figures
            }
        }
        var result: [FigureRow] = []
        result.reserveCapacity(order.count)
        for key in order {
            let figures = rows[key]!
            // A row whose cells for this dataset are all empty carries nothing to hold.
            if figures.values.isEmpty && figures.suppressed.isEmpty {
                skipped.append(ImportSkip(row: firstLine[key], reason: "\(figures.name ?? figures.area) \(figures.year): no \(key.dataset) figure in the row (every cell empty)"))
                continue
            }
            guard issues.add(row: firstLine[key], figures.validate()) else { continue }
            result.append(figures)
        }
        return result
    }

    private struct CellKey: Hashable {
        var row: FigureKey
        var measure: String
    }
}

/// Where one row of a tidy file belongs: England, a region, a council or a joint return.
struct TidyArea {
    var level: GeographicLevel
    var code: String
    var name: String?
    var year: Int

    enum Resolution {
        case area(TidyArea)
        case skip(String)
        case invalid
    }

    /// The row's area, or nil when the row is reported instead: skipped with its reason, or
    /// its problems added to `issues`.
    static func resolve(_ row: inout Row, directory: CouncilDirectory, skipped: inout [ImportSkip], issues: inout IssueCollector) -> TidyArea? {
        switch resolve(&row, directory: directory) {
        case .area(let area): return area
        case .skip(let reason): skipped.append(ImportSkip(row: row.record.line, reason: reason))
        case .invalid: issues.absorb(row)
        }
        return nil
    }

    /// Reads `time_period`, `geographic_level` and the codes of a row. Problems are recorded
    /// on `row` (`.invalid`); rows carewatch does not hold (other levels, abolished or unknown
    /// authorities) are `.skip` with the reason.
    static func resolve(_ row: inout Row, directory: CouncilDirectory) -> Resolution {
        let periodText = row.cell("time_period")
        let levelText = row.cell("geographic_level")
        guard let year = Int(periodText), periodText.utf8.count == 4, WorkforceYear.plausibleYears.contains(year) else {
            row.add("time_period", "\(periodText.isEmpty ? "(empty)" : periodText) is not a year (YYYY)")
            return .invalid
        }
        guard let level = GeographicLevel(published: levelText) else {
            return .skip("geographic level \(levelText.isEmpty ? "(empty)" : levelText) \(year): carewatch holds National, Regional and Local authority rows")
        }
        switch level {
        case .national:
            return .area(TidyArea(level: .national, code: AreaCode.england, name: nonEmpty(row.cell("country_name")) ?? "England", year: year))
        case .regional:
            let code = row.cell("region_code")
            guard AreaCode.isRegional(code) else {
                row.add("region_code", "\(code.isEmpty ? "(empty)" : code) is not a region's code (E12000001 to E12000009, E13000001, E13000002)")
                return .invalid
            }
            return .area(TidyArea(level: .regional, code: code, name: nonEmpty(row.cell("region_name")), year: year))
        case .localAuthority:
            let codeText = row.cell("new_la_code")
            let name = row.cell("la_name")
            let codes = AreaCode.members(of: codeText)
            let numbers = AreaCode.members(of: row.cell("old_la_code"))
            let names = AreaCode.members(of: name)
            var current: [String] = []
            for (index, code) in codes.enumerated() {
                // The GSS code decides; a code this directory does not know is matched through
                // DfE's number only when the name agrees too, so an abolished authority is never
                // attributed to a successor that inherited nothing but a number.
                var council = directory.council(code: code)
                if council == nil, index < numbers.count, let laCode = Int(numbers[index]), let candidate = directory.council(laCode: laCode),
                   index < names.count, CouncilDirectory.normaliseName(candidate.name) == CouncilDirectory.normaliseName(names[index]) {
                    council = candidate
                }
                guard let council else {
                    let label = index < names.count ? names[index] : code
                    if let former = FormerAuthority.named(code: code) {
                        return .skip("\(label) (\(code)) \(year): \(former.summary { directory.council(code: $0)?.name })")
                    }
                    return .skip("\(label) (\(code.isEmpty ? "no code" : code)) \(year): no current council (authority no longer exists or is unknown)")
                }
                current.append(council.code)
            }
            return .area(TidyArea(level: .localAuthority, code: current.joined(separator: AreaCode.jointSeparator), name: nonEmpty(name), year: year))
        }
    }

    private static func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }
}
