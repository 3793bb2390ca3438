/// DfE's children's social work workforce file (`csww_indicators_…csv`) as published
/// (data-formats.md §1), mapped as PROVENANCE.md describes for workforce.csv: local-authority
/// rows only; suppression symbols become null; joint returns, which cannot be split between
/// two councils, and authorities that no longer exist are skipped and reported; old GSS codes
/// are matched through each council's former codes.
enum DfEWorkforceImport {
    static let figureColumns: [(column: String, field: String)] = [
        ("inpost_fte", "employed_fte"), ("agency_fte", "agency_fte"), ("agency_rate_fte", "agency_rate"),
        ("vacancy_fte", "vacancy_fte"), ("vacancy_rate_fte", "vacancy_rate"), ("leavers_fte", "leavers_fte"),
        ("turnover_rate_fte", "turnover_rate"), ("caseload_fte", "caseload"), ("absence_rate_fte", "absence_rate"),
    ]
    static let identityColumns = ["time_period", "geographic_level", "old_la_code", "new_la_code", "la_name"]

    static func isDfEWorkforce(_ header: CSVHeader) -> Bool {
        header.contains("time_period") && header.contains("geographic_level") && header.contains("inpost_fte")
    }

    static func parse(
        _ records: ArraySlice<CSVRecord>, header: CSVHeader, directory: CouncilDirectory, sourceName: String?,
        skipped: inout [ImportSkip], issues: inout IssueCollector
    ) -> [WorkforceYear] {
        for name in identityColumns + figureColumns.map(\.column) where !header.contains(name) {
            issues.add(row: 1, field: name, "required column is missing")
        }
        guard issues.isEmpty else { return [] }
        var result: [WorkforceYear] = []
        var rowOfKey: [String: Int] = [:]
        var years: ClosedRange<Int>?
        for record in records where !record.isBlank {
            var row = Row(record: record, header: header)
            guard row.isClean else {
                issues.absorb(row)
                continue
            }
            guard row.cell("geographic_level") == "Local authority" else { continue }
            let code = row.cell("new_la_code")
            let laCodeText = row.cell("old_la_code")
            let name = row.cell("la_name")
            guard let year = row.integer("time_period") else {
                issues.absorb(row)
                continue
            }
            if code.contains(" / ") || laCodeText.contains(" / ") {
                skipped.append(ImportSkip(row: record.line, reason: "\(name) \(year): joint return, which cannot be split between the councils"))
                continue
            }
            // The GSS code decides; a code this directory does not know is matched through DfE's
            // number only when the name agrees too, so an abolished authority is never
            // attributed to a successor that inherited nothing but a number.
            var council = directory.council(code: code)
            if council == nil, let laCode = Int(laCodeText), let candidate = directory.council(laCode: laCode),
               CouncilDirectory.normaliseName(candidate.name) == CouncilDirectory.normaliseName(name) {
                council = candidate
            }
            guard let council else {
                skipped.append(ImportSkip(row: record.line, reason: "\(name) (\(code)) \(year): no current council (authority no longer exists or is unknown)"))
                continue
            }
            var figures = WorkforceYear(council: council.code, year: year)
            for (column, field) in figureColumns {
                // Every non-numeric value (c, u, x, z, low, :) is a suppression symbol.
                let value = DecimalText.parse(row.cell(column))
                switch field {
                case "employed_fte": figures.employedFTE = value
                case "agency_fte": figures.agencyFTE = value
                case "agency_rate": figures.agencyRate = value
                case "vacancy_fte": figures.vacancyFTE = value
                case "vacancy_rate": figures.vacancyRate = value
                case "leavers_fte": figures.leaversFTE = value
                case "turnover_rate": figures.turnoverRate = value
                case "caseload": figures.caseload = value
                default: figures.absenceRate = value
                }
            }
            let key = "\(council.code)|\(year)"
            if let earlier = rowOfKey[key] {
                issues.add(row: record.line, field: "new_la_code", "\(council.name) \(year) is already on row \(earlier)")
                continue
            }
            rowOfKey[key] = record.line
            guard issues.add(row: record.line, figures.validate()) else { continue }
            years = years.map { min($0.lowerBound, year)...max($0.upperBound, year) } ?? year...year
            result.append(figures)
        }
        // DfE names its files after the years they cover; that name is the seed's `source`.
        let source = sourceName ?? years.map { "csww_indicators_\($0.lowerBound)_to_\($0.upperBound).csv" }
        for index in result.indices { result[index].source = source }
        return result
    }
}
