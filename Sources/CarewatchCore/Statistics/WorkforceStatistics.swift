/// When `by=rating` groups councils by grade, which grade.
public enum GradeAt: String, Sendable, CaseIterable {
    /// The grade in force on 30 September of the row's year (the census date), on basis
    /// `published`: the latest graded inspection published by then.
    case census
    /// Each council's latest graded inspection today, for every year.
    case latest
}

/// The distribution of each workforce figure per year, nationally, per region and optionally
/// per grade (`GET /v1/stats/workforce`).
///
/// JSON shape:
/// ```json
/// {
///   "quartile_method": "linear",
///   "grade_at": null,                      // "census" or "latest" when by=rating
///   "years": [{
///     "year": 2025,
///     "national": {
///       "rows": 151,
///       "figures": {"employed_fte": {"count": 151, "mean": 234.1, "median": 190.5, "q1": 120.2, "q3": 290.0, "min": 4.0, "max": 1021.3}, ...},
///       "pooled": {
///         "agency_rate":   {"value": 13.1, "numerator_fte": 5411.1, "denominator_fte": 41266.5, "councils": 148},
///         "vacancy_rate":  {...}, "turnover_rate": {...}
///       }
///     },
///     "regions":   [{"region": "North East", "rows": 12, "figures": {...}, "pooled": {...}}, ...],
///     "by_rating": [{"grade": "outstanding", "rows": 30, "figures": {...}, "pooled": {...}}, ...]   // only with by=rating
///   }]
/// }
/// ```
/// `figures` has every contract figure (`employed_fte`, `agency_fte`, `agency_rate`,
/// `vacancy_fte`, `vacancy_rate`, `leavers_fte`, `turnover_rate`, `caseload`, `absence_rate`,
/// `asye_share`), each a `FigureSummary` over the councils that have it (null statistics
/// when count is 0). The rates there are the plain mean/median of council rates; `pooled` is
/// England's (or the group's) rate from summed FTEs, DfE's way: agency = Σagency /
/// (Σagency + Σemployed), vacancy = Σvacancy / (Σvacancy + Σemployed), turnover = Σleavers /
/// Σemployed, each × 100, over the councils with both FTEs that year (`councils`).
/// Values are not rounded for presentation, only cleared of floating-point noise (9 decimal places). Years ascend; regions follow the contract's order
/// (all nine); `by_rating` lists every grade then `not_yet_inspected`.
public struct WorkforceStatistics: Sendable {
    public struct Pooled: Sendable, Equatable {
        public var numerator = 0.0
        public var denominator = 0.0
        public var councils = 0
        /// Percent; nil when no council has both figures.
        public var value: Double? { councils > 0 && denominator > 0 ? numerator / denominator * 100 : nil }
    }

    public struct Group: Sendable {
        public var rows = 0
        /// In `WorkforceStatistics.figureNames` order.
        public var figures: [(name: String, summary: FigureSummary)] = []
        public var agencyRate = Pooled()
        public var vacancyRate = Pooled()
        public var turnoverRate = Pooled()

        public func figure(_ name: String) -> FigureSummary? { figures.first { $0.name == name }?.summary }

        init(_ rows: [WorkforceYear]) {
            self.rows = rows.count
            figures = WorkforceStatistics.figureNames.map { name in
                let keyPath = WorkforceStatistics.keyPath(name)
                return (name, FigureSummary(rows.compactMap { $0[keyPath: keyPath] }))
            }
            for row in rows {
                if let employed = row.employedFTE {
                    if let agency = row.agencyFTE {
                        agencyRate.numerator += agency
                        agencyRate.denominator += agency + employed
                        agencyRate.councils += 1
                    }
                    if let vacancy = row.vacancyFTE {
                        vacancyRate.numerator += vacancy
                        vacancyRate.denominator += vacancy + employed
                        vacancyRate.councils += 1
                    }
                    if let leavers = row.leaversFTE {
                        turnoverRate.numerator += leavers
                        turnoverRate.denominator += employed
                        turnoverRate.councils += 1
                    }
                }
            }
        }

        func writeJSON(into writer: inout JSONWriter) {
            writer.field("rows", rows)
            writer.key("figures")
            writer.beginObject()
            for (name, summary) in figures {
                writer.key(name)
                summary.writeJSON(into: &writer)
            }
            writer.endObject()
            writer.key("pooled")
            writer.beginObject()
            for (name, pooled) in [("agency_rate", agencyRate), ("vacancy_rate", vacancyRate), ("turnover_rate", turnoverRate)] {
                writer.key(name)
                writer.beginObject()
                writer.field("value", FigureSummary.cleaned(pooled.value))
                writer.field("numerator_fte", FigureSummary.cleaned(pooled.numerator))
                writer.field("denominator_fte", FigureSummary.cleaned(pooled.denominator))
                writer.field("councils", pooled.councils)
                writer.endObject()
            }
            writer.endObject()
        }
    }

    public struct Year: Sendable {
        public var year: Int
        public var national: Group
        public var regions: [(region: Region, group: Group)]
        /// Grade raw value or `not_yet_inspected` → group; nil unless `by=rating`.
        public var byRating: [(grade: String, group: Group)]?

        public func region(_ region: Region) -> Group? { regions.first { $0.region == region }?.group }
        public func rating(_ key: String) -> Group? { byRating?.first { $0.grade == key }?.group }
    }

    public static let figureNames = ["employed_fte", "agency_fte", "agency_rate", "vacancy_fte", "vacancy_rate", "leavers_fte",
                                     "turnover_rate", "caseload", "absence_rate", "asye_share"]

    static func keyPath(_ name: String) -> KeyPath<WorkforceYear, Double?> {
        switch name {
        case "employed_fte": return \.employedFTE
        case "agency_fte": return \.agencyFTE
        case "agency_rate": return \.agencyRate
        case "vacancy_fte": return \.vacancyFTE
        case "vacancy_rate": return \.vacancyRate
        case "leavers_fte": return \.leaversFTE
        case "turnover_rate": return \.turnoverRate
        case "caseload": return \.caseload
        case "absence_rate": return \.absenceRate
        default: return \.asyeShare
        }
    }

    public var years: [Year]
    public var gradeAt: GradeAt?

    /// - Parameters:
    ///   - councils: gives each row its region (rows of councils not listed count nationally only).
    ///   - year: one year, or nil for every year with rows.
    ///   - byRating: group councils by grade, as `gradeAt` says (needs `inspections`).
    public static func compute(
        councils: [Council], workforce: [WorkforceYear], inspections: [Inspection] = [], year: Int? = nil,
        byRating: Bool = false, gradeAt: GradeAt = .census
    ) -> WorkforceStatistics {
        let regionOf = Dictionary(councils.map { ($0.code, $0.region) }, uniquingKeysWith: { first, _ in first })
        var rowsByYear: [Int: [WorkforceYear]] = [:]
        for row in workforce where year == nil || row.year == year { rowsByYear[row.year, default: []].append(row) }
        let history = byRating ? GradeHistory.byCouncil(inspections) : [:]
        var latestGrade: [String: Grade] = [:]
        if byRating, gradeAt == .latest {
            let farFuture = CalendarDate(year: 9999, month: 12, day: 31)!
            for (code, inspections) in history {
                latestGrade[code] = GradeHistory.inForce(inspections, asOf: farFuture, basis: .published)?.overall
            }
        }
        var years: [Year] = []
        for (rowYear, rows) in rowsByYear.sorted(by: { $0.key < $1.key }) {
            var regional: [Region: [WorkforceYear]] = [:]
            for row in rows { if let region = regionOf[row.council] { regional[region, default: []].append(row) } }
            var entry = Year(year: rowYear, national: Group(rows), regions: Region.allCases.map { ($0, Group(regional[$0] ?? [])) })
            if byRating {
                var graded: [String: [WorkforceYear]] = [:]
                let census = CalendarDate(year: rowYear, month: 9, day: 30) ?? CalendarDate(year: 9999, month: 12, day: 31)!
                for row in rows {
                    let grade: Grade?
                    switch gradeAt {
                    case .census: grade = GradeHistory.inForce(history[row.council] ?? [], asOf: census, basis: .published)?.overall
                    case .latest: grade = latestGrade[row.council]
                    }
                    graded[grade?.rawValue ?? "not_yet_inspected", default: []].append(row)
                }
                entry.byRating = RatingStatistics.categories.map { ($0, Group(graded[$0] ?? [])) }
            }
            years.append(entry)
        }
        return WorkforceStatistics(years: years, gradeAt: byRating ? gradeAt : nil)
    }

    public func year(_ year: Int) -> Year? { years.first { $0.year == year } }

    public func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("quartile_method", "linear")
        writer.field("grade_at", gradeAt?.rawValue)
        writer.key("years")
        writer.beginArray()
        for entry in years {
            writer.beginObject()
            writer.field("year", entry.year)
            writer.key("national")
            writer.beginObject()
            entry.national.writeJSON(into: &writer)
            writer.endObject()
            writer.key("regions")
            writer.beginArray()
            for (region, group) in entry.regions {
                writer.beginObject()
                writer.field("region", region.rawValue)
                group.writeJSON(into: &writer)
                writer.endObject()
            }
            writer.endArray()
            if let byRating = entry.byRating {
                writer.key("by_rating")
                writer.beginArray()
                for (grade, group) in byRating {
                    writer.beginObject()
                    writer.field("grade", grade)
                    group.writeJSON(into: &writer)
                    writer.endObject()
                }
                writer.endArray()
            }
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }
}
