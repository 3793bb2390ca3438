/// A council compared, measure by measure and year by year, with its statistical neighbours,
/// its region and England (`GET /v1/councils/{council}/compare`).
///
/// - Neighbours: the median and mean of the neighbours that have a value (FigureSummary's
///   method), their lowest and highest (the band a chart shades), how many had one, and
///   which did not and why (withheld by DfE, no return, or an authority that no longer exists).
/// - Region and England: DfE's own figure where published; a computed rate from DfE's own
///   count and population for the area; otherwise pooled from the councils (`AreaBasis`).
/// - Rank among all councils with a value, 1 = best by the measure's direction (highest first
///   for measures with none), ties sharing the best rank ("1224"); quartile band A–D by rank
///   position, A = best quarter, as DfE's LAIT bands them.
/// - Change from the previous year, when both years have a value.
/// Councils in a joint return take the joint figure, flagged wherever it appears.
public struct Comparison: Sendable {
    public struct Scope: Sendable, Equatable {
        public var neighbours = true
        public var region = true
        public var england = true

        public init(neighbours: Bool = true, region: Bool = true, england: Bool = true) {
            self.neighbours = neighbours
            self.region = region
            self.england = england
        }

        public var names: [String] {
            (neighbours ? ["neighbours"] : []) + (region ? ["region"] : []) + (england ? ["england"] : [])
        }
    }

    /// A neighbour in the group, resolved to a current council or a former authority.
    public struct Neighbour: Sendable {
        public var rank: Int
        public var laCode: Int
        public var closeness: String?
        public var council: Council?
        public var former: FormerAuthority?
        /// Name: the council's, or the former authority's.
        public var name: String?
    }

    public struct NeighbourGroup: Sendable {
        public var model: String
        /// Set when the council has no list in the model and its predecessor's is used.
        public var listOf: (laCode: Int, name: String?, former: FormerAuthority)?
        public var members: [Neighbour]
    }

    public struct MissingNeighbour: Sendable, Equatable {
        public var code: String?
        public var laCode: Int
        public var name: String?
        /// DfE's symbol when the figure was withheld.
        public var status: String?
        public var reason: String
    }

    public struct NeighbourSummary: Sendable {
        public var median: Double?
        public var mean: Double?
        /// The lowest and highest neighbour value: where the council sits among councils like it.
        public var min: Double?
        public var max: Double?
        public var withValue: Int
        public var of: Int
        public var suppressed: Int
        public var missing: [MissingNeighbour]
        /// Joint-return areas whose figure stands for a neighbour.
        public var jointReturns: [String]
    }

    public struct Year: Sendable {
        public var year: Int
        public var council: Reading
        public var change: Double?
        public var rank: Int?
        /// Councils with a value that year (the rank's population).
        public var ranked: Int
        /// Councils whose figure DfE withheld that year.
        public var suppressedCouncils: Int
        public var quartile: String?
        public var neighbours: NeighbourSummary?
        public var region: AreaReading?
        public var england: AreaReading?
    }

    public struct MeasureRows: Sendable {
        public var measure: Measure
        public var years: [Year]
        /// Withheld figures anywhere in this measure's comparison (council, neighbours, ranks).
        public var suppressedValues: Int
    }

    public var council: Council
    public var scope: Scope
    public var from: Int?
    public var to: Int?
    public var group: NeighbourGroup?
    public var measures: [MeasureRows]

    /// - Parameters:
    ///   - model: the neighbour model (must be held when `scope.neighbours`).
    ///   - from, to: inclusive years; nil means every year held.
    public static func compute(_ state: StoreState, council: Council, measures: [Measure], scope: Scope, model: String?,
                               from: Int?, to: Int?) -> Comparison {
        let group = scope.neighbours ? model.map { neighbourGroup(state, council: council, model: $0) } : nil
        let allCouncils = state.councilCodes
        let regionCode = AreaCode.code(of: council.region)
        let regionCouncils = state.councilsByRegion[council.region] ?? []
        var rows: [MeasureRows] = []
        for measure in measures {
            let reader = MeasureReader(measure)
            let years = state.years(of: measure).filter { year in (from.map { year >= $0 } ?? true) && (to.map { year <= $0 } ?? true) }
            var entries: [Year] = []
            var suppressedValues = 0
            for year in years {
                let own = state.reading(reader, council: council.code, year: year)
                if own.status != nil { suppressedValues += 1 }
                var entry = Year(year: year, council: own, ranked: 0, suppressedCouncils: 0)
                let previous = state.reading(reader, council: council.code, year: year - 1)
                if let now = own.value, let before = previous.value { entry.change = measure.rounded(now - before) }

                var values: [Double] = []
                values.reserveCapacity(allCouncils.count)
                for code in allCouncils {
                    let reading = code == council.code ? own : state.reading(reader, council: code, year: year)
                    if let value = reading.value { values.append(value) } else if reading.status != nil { entry.suppressedCouncils += 1 }
                }
                entry.ranked = values.count
                if let value = own.value {
                    let rank = 1 + values.filter { measure.ranksBefore($0, value) }.count
                    entry.rank = rank
                    entry.quartile = quartile(rank: rank, of: values.count)
                }
                if let group {
                    let summary = neighbourSummary(state, group: group, reader: reader, year: year)
                    suppressedValues += summary.suppressed
                    entry.neighbours = summary
                }
                if scope.region {
                    entry.region = state.areaReading(measure, area: regionCode, name: council.region.rawValue, year: year, councils: regionCouncils)
                }
                if scope.england {
                    entry.england = state.areaReading(measure, area: AreaCode.england, name: "England", year: year, councils: allCouncils)
                }
                entries.append(entry)
            }
            rows.append(MeasureRows(measure: measure, years: entries, suppressedValues: suppressedValues))
        }
        return Comparison(council: council, scope: scope, from: from, to: to, group: group, measures: rows)
    }

    /// A = ranks in the best quarter of the councils with a value, then B, C, D.
    static func quartile(rank: Int, of count: Int) -> String? {
        guard count > 0, rank >= 1 else { return nil }
        let position = Double(rank - 1) / Double(count)
        switch position {
        case ..<0.25: return "A"
        case ..<0.5: return "B"
        case ..<0.75: return "C"
        default: return "D"
        }
    }

    /// The council's list in `model`; for a council the model predates (Cumberland in 2021),
    /// its predecessor's list, said so.
    public static func neighbourGroup(_ state: StoreState, council: Council, model: String) -> NeighbourGroup {
        var listOf: (Int, String?, FormerAuthority)?
        var list = state.neighbourList(model: model, laCode: council.laCode)
        if list == nil {
            for former in FormerAuthority.all where former.successors.contains(council.code) {
                if let predecessor = state.neighbourList(model: model, laCode: former.laCode) {
                    list = predecessor
                    listOf = (former.laCode, predecessor.name, former)
                    break
                }
            }
        }
        let members = (list?.neighbours ?? []).enumerated().map { index, entry in
            resolve(state, entry: entry, rank: index + 1)
        }
        return NeighbourGroup(model: model, listOf: listOf, members: members)
    }

    static func resolve(_ state: StoreState, entry: NeighbourList.Entry, rank: Int) -> Neighbour {
        if let council = state.council(named: String(entry.laCode)) {
            return Neighbour(rank: rank, laCode: entry.laCode, closeness: entry.closeness, council: council, name: council.name)
        }
        let former = FormerAuthority.named(laCode: entry.laCode)
        return Neighbour(rank: rank, laCode: entry.laCode, closeness: entry.closeness, former: former, name: former?.name)
    }

    static func neighbourSummary(_ state: StoreState, group: NeighbourGroup, measure: Measure, year: Int) -> NeighbourSummary {
        neighbourSummary(state, group: group, reader: MeasureReader(measure), year: year)
    }

    static func neighbourSummary(_ state: StoreState, group: NeighbourGroup, reader: MeasureReader, year: Int) -> NeighbourSummary {
        var values: [Double] = []
        var missing: [MissingNeighbour] = []
        var suppressed = 0
        var joint: [String] = []
        for member in group.members {
            guard let council = member.council else {
                let reason = member.former.map { "no longer exists: \($0.summary { state.council(named: $0)?.name })" }
                    ?? "DfE number \(member.laCode) is not a council carewatch holds"
                missing.append(MissingNeighbour(code: member.former?.code, laCode: member.laCode, name: member.name, status: nil, reason: reason))
                continue
            }
            let reading = state.reading(reader, council: council.code, year: year)
            if let area = reading.jointReturn, !joint.contains(area) { joint.append(area) }
            if let value = reading.value {
                values.append(value)
            } else if let status = reading.status {
                suppressed += 1
                missing.append(MissingNeighbour(code: council.code, laCode: council.laCode, name: council.name, status: status,
                                                reason: "withheld by DfE ('\(status)': \(SuppressionSymbol.meaning(of: status)))"))
            } else {
                missing.append(MissingNeighbour(code: council.code, laCode: council.laCode, name: council.name, status: nil,
                                                reason: "no figure published for \(year)"))
            }
        }
        let summary = FigureSummary(values)
        return NeighbourSummary(median: summary.median, mean: summary.mean, min: summary.min, max: summary.max,
                                withValue: values.count, of: group.members.count,
                                suppressed: suppressed, missing: missing, jointReturns: joint)
    }
}

extension SuppressionSymbol {
    static func meaning(of symbol: String) -> String { meanings.first { $0.symbol == symbol }?.meaning ?? "withheld" }
}
