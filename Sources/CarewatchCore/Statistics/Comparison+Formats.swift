/// The comparison as JSON and as CSV (one row per measure and year).
extension Comparison {
    public static let method = [
        "neighbours": "median and mean of the neighbours with a value (median: linear interpolation between closest ranks); min and max: the lowest and highest of them",
        "rank": "among all councils with a value; 1 = best by the measure's direction (highest first when it has none); ties share the best rank",
        "quartile": "A to D by rank position among the councils with a value: A = best quarter (DfE LAIT's banding)",
        "region_and_england": "basis published: DfE's own figure; computed: carewatch's rate from DfE's own count and population for the area; pooled: carewatch's pooling of the councils' figures, each published return once (see GET /v1/measures)",
        "joint_returns": "councils that make one return with another council take that joint figure; it is flagged wherever it is used",
    ]

    /// `better`/`worse` by the measure's direction (`higher`/`lower` when it has none), or `same`.
    static func trend(_ change: Double?, _ measure: Measure) -> String? {
        guard let change else { return nil }
        if change == 0 { return "same" }
        switch measure.direction {
        case .lowerIsBetter: return change < 0 ? "better" : "worse"
        case .higherIsBetter: return change > 0 ? "better" : "worse"
        case .neither: return change > 0 ? "higher" : "lower"
        }
    }

    public func writeJSON(into writer: inout JSONWriter, state: StoreState) {
        writer.beginObject()
        writer.key("council")
        council.writeReference(into: &writer, region: true)
        writer.key("with")
        writer.beginArray()
        for name in scope.names { writer.value(name) }
        writer.endArray()
        writer.field("from", from)
        writer.field("to", to)
        writer.key("neighbours")
        if let group {
            Comparison.writeGroup(group, into: &writer, state: state)
        } else {
            writer.null()
        }
        writer.key("method")
        writer.beginObject()
        for key in Comparison.method.keys.sorted() { writer.field(key, Comparison.method[key]!) }
        writer.endObject()
        writer.key("measures")
        writer.beginArray()
        for rows in measures {
            let measure = rows.measure
            writer.beginObject()
            writer.field("measure", measure.id)
            writer.field("label", measure.label)
            writer.field("unit", measure.unit.rawValue)
            writer.field("decimals", measure.decimals)
            writer.field("direction", measure.direction.rawValue)
            writer.field("suppressed_values", rows.suppressedValues)
            writer.key("years")
            writer.beginArray()
            for year in rows.years { writeYear(year, measure: measure, into: &writer, state: state) }
            writer.endArray()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    static func writeGroup(_ group: NeighbourGroup, into writer: inout JSONWriter, state: StoreState) {
        writer.beginObject()
        writer.field("model", group.model)
        writeListOf(group, into: &writer, state: state)
        writer.key("members")
        writer.beginArray()
        for member in group.members { writeNeighbour(member, into: &writer, state: state) }
        writer.endArray()
        writer.endObject()
    }

    /// `"list_of"`: null, or the predecessor whose list stands in for a council the model predates.
    static func writeListOf(_ group: NeighbourGroup, into writer: inout JSONWriter, state: StoreState) {
        writer.key("list_of")
        guard let listOf = group.listOf else { return writer.null() }
        writer.beginObject()
        writer.field("la_code", listOf.laCode)
        writer.field("name", listOf.former.name)
        writer.field("note", "model \(group.model) has no list of its own for this council, which did not exist when the model was made; this is its predecessor's list (\(listOf.former.name): \(listOf.former.summary { state.council(named: $0)?.name }))")
        writer.endObject()
    }

    /// One neighbour: rank, code, names, closeness; for an authority that no longer exists,
    /// `current: false`, when it was abolished and which current councils succeeded it.
    public static func writeNeighbour(_ member: Neighbour, into writer: inout JSONWriter, state: StoreState) {
        writer.beginObject()
        writer.field("rank", member.rank)
        writer.field("code", member.council?.code ?? member.former?.code)
        writer.field("la_code", member.laCode)
        writer.field("slug", member.council?.slug)
        writer.field("name", member.name)
        writer.field("closeness", member.closeness)
        writer.field("current", member.council != nil)
        if member.council == nil {
            writer.field("abolished", member.former?.abolished.description)
            writer.key("succeeded_by")
            writer.beginArray()
            for code in member.former?.successors ?? [] {
                writer.beginObject()
                writer.field("code", code)
                let successor = state.council(named: code)
                writer.field("la_code", successor?.laCode)
                writer.field("slug", successor?.slug)
                writer.field("name", successor?.name)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
    }

    private func writeYear(_ year: Year, measure: Measure, into writer: inout JSONWriter, state: StoreState) {
        writer.beginObject()
        writer.field("year", year.year)
        writer.field("value", year.council.value)
        writer.field("status", year.council.status)
        writer.key("joint_return")
        Comparison.writeJoint(year.council.jointReturn, into: &writer, state: state)
        writer.field("change", year.change)
        writer.field("trend", Comparison.trend(year.change, measure))
        writer.field("rank", year.rank)
        writer.field("ranked", year.ranked)
        writer.field("quartile", year.quartile)
        writer.field("suppressed_councils", year.suppressedCouncils)
        if scope.neighbours {
            writer.key("neighbours")
            if let summary = year.neighbours {
                writer.beginObject()
                writer.field("median", FigureSummary.cleaned(summary.median))
                writer.field("mean", FigureSummary.cleaned(summary.mean))
                writer.field("min", summary.min)
                writer.field("max", summary.max)
                writer.field("with_value", summary.withValue)
                writer.field("of", summary.of)
                writer.field("suppressed", summary.suppressed)
                writer.key("missing")
                writer.beginArray()
                for missing in summary.missing {
                    writer.beginObject()
                    writer.field("code", missing.code)
                    writer.field("la_code", missing.laCode)
                    writer.field("name", missing.name)
                    writer.field("status", missing.status)
                    writer.field("reason", missing.reason)
                    writer.endObject()
                }
                writer.endArray()
                writer.key("joint_returns")
                writer.beginArray()
                for area in summary.jointReturns { Comparison.writeJoint(area, into: &writer, state: state) }
                writer.endArray()
                writer.endObject()
            } else {
                writer.null()
            }
        }
        if scope.region {
            writer.key("region")
            Comparison.writeArea(year.region, into: &writer)
        }
        if scope.england {
            writer.key("england")
            Comparison.writeArea(year.england, into: &writer)
        }
        writer.endObject()
    }

    static func writeArea(_ area: AreaReading?, into writer: inout JSONWriter) {
        guard let area else { return writer.null() }
        writer.beginObject()
        writer.field("code", area.code)
        writer.field("name", area.name)
        writer.field("value", area.value)
        writer.field("status", area.status)
        writer.field("basis", area.basis?.rawValue)
        writer.field("returns", area.returns)
        writer.field("missing", area.missing)
        writer.endObject()
    }

    /// `{"area": "E09000021 / E09000027", "councils": [...], "name": "..."}` or null.
    static func writeJoint(_ area: String?, into writer: inout JSONWriter, state: StoreState) {
        guard let area else { return writer.null() }
        writer.beginObject()
        writer.field("area", area)
        writer.key("councils")
        writer.beginArray()
        for code in AreaCode.members(of: area) { writer.value(code) }
        writer.endArray()
        writer.field("name", AreaCode.members(of: area).map { state.council(named: $0)?.name ?? $0 }.joined(separator: " / "))
        writer.endObject()
    }

    public static let csvColumns = [
        "council", "measure", "year", "value", "status", "joint_return", "change", "trend", "rank", "ranked", "quartile",
        "suppressed_councils", "neighbours_model", "neighbours_median", "neighbours_mean",
        "neighbours_min", "neighbours_max", "neighbours_with_value", "neighbours_of",
        "neighbours_suppressed", "neighbours_missing", "neighbours_joint_returns", "region", "region_value", "region_status",
        "region_basis", "england_value", "england_status", "england_basis", "unit",
    ]

    /// One row per measure and year; lists inside a cell are joined with `;`.
    public func csv(lineEnding: CSVWriter.LineEnding = .crlf) -> [UInt8] {
        var writer = CSVWriter(lineEnding: lineEnding, reservingCapacity: 256 * (measures.reduce(0) { $0 + $1.years.count } + 1))
        writer.writeRow(Comparison.csvColumns)
        func number(_ value: Double?) -> String? { FigureSummary.cleaned(value).map { DecimalText.format($0) } }
        for rows in measures {
            for year in rows.years {
                let neighbours = year.neighbours
                writer.writeRow([
                    council.code, rows.measure.id, String(year.year), number(year.council.value), year.council.status, year.council.jointReturn,
                    number(year.change), Comparison.trend(year.change, rows.measure), year.rank.map(String.init), String(year.ranked),
                    year.quartile, String(year.suppressedCouncils), group?.model, number(neighbours?.median), number(neighbours?.mean),
                    number(neighbours?.min), number(neighbours?.max),
                    neighbours.map { String($0.withValue) }, neighbours.map { String($0.of) }, neighbours.map { String($0.suppressed) },
                    neighbours.map { $0.missing.map { $0.code ?? String($0.laCode) }.joined(separator: ";") },
                    neighbours.map { $0.jointReturns.joined(separator: ";") },
                    year.region?.name, number(year.region?.value), year.region?.status, year.region?.basis?.rawValue,
                    number(year.england?.value), year.england?.status, year.england?.basis?.rawValue, rows.measure.unit.rawValue,
                ])
            }
        }
        return writer.bytes
    }
}
