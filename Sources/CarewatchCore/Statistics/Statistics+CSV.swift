/// The statistics endpoints as CSV (`format=csv` or `Accept: text/csv`): long tables a
/// spreadsheet pivots directly, one row per group and category or figure.
extension RatingStatistics {
    public static let csvColumns = ["as_of", "basis", "published_by", "scope", "councils", "graded", "category", "count", "share"]

    /// One row per scope (England, then each region) and category; `share` is empty for
    /// `not_yet_inspected`, which has none.
    public func csv(lineEnding: CSVWriter.LineEnding = .crlf) -> [UInt8] {
        var writer = CSVWriter(lineEnding: lineEnding, reservingCapacity: 64 * 70)
        writer.writeRow(RatingStatistics.csvColumns)
        for (scope, group) in [("England", national)] + regions.map({ ($0.region.rawValue, $0.group) }) {
            for category in RatingStatistics.categories {
                let share = Grade(rawValue: category).map { DecimalText.format(group.share($0)) }
                writer.writeRow([asOf.description, basis.rawValue, publishedBy.description, scope, String(group.councils), String(group.graded),
                                 category, String(group.counts[category] ?? 0), share])
            }
        }
        return writer.bytes
    }
}

extension WorkforceStatistics {
    public static let csvColumns = ["year", "group_type", "group", "rows", "figure", "count", "mean", "median", "q1", "q3", "min", "max",
                                    "pooled_value", "pooled_numerator_fte", "pooled_denominator_fte", "pooled_councils"]

    /// One row per year, group (national, each region, each grade with `by=rating`) and
    /// figure; the `pooled_*` columns are filled for the three rates DfE pools.
    public func csv(lineEnding: CSVWriter.LineEnding = .crlf) -> [UInt8] {
        var writer = CSVWriter(lineEnding: lineEnding, reservingCapacity: 128 * (years.count * 110 + 1))
        writer.writeRow(WorkforceStatistics.csvColumns)
        func number(_ value: Double?) -> String? { FigureSummary.cleaned(value).map { DecimalText.format($0) } }
        for entry in years {
            var groups: [(type: String, name: String, group: Group)] = [("national", "England", entry.national)]
            groups += entry.regions.map { ("region", $0.region.rawValue, $0.group) }
            groups += (entry.byRating ?? []).map { ("rating", $0.grade, $0.group) }
            for (type, name, group) in groups {
                for (figure, summary) in group.figures {
                    let pooled: Pooled? = switch figure {
                    case "agency_rate": group.agencyRate
                    case "vacancy_rate": group.vacancyRate
                    case "turnover_rate": group.turnoverRate
                    default: nil
                    }
                    writer.writeRow([
                        String(entry.year), type, name, String(group.rows), figure, String(summary.count), number(summary.mean),
                        number(summary.median), number(summary.q1), number(summary.q3), number(summary.min), number(summary.max),
                        number(pooled?.value), number(pooled?.numerator), number(pooled?.denominator), pooled.map { String($0.councils) },
                    ])
                }
            }
        }
        return writer.bytes
    }
}
