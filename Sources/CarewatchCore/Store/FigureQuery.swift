/// `GET /v1/figures`: the published rows the store holds, filtered and paged.
public struct FigureQuery: Sendable, Equatable {
    public var dataset: String?
    /// Area codes to keep (a council's query includes the joint returns it was part of).
    public var areas: [String]?
    public var level: GeographicLevel?
    public var year: Int?
    /// Only each (dataset, area)'s newest year.
    public var latestOnly = false
    public var sort: SortKey?
    public var limit: Int
    public var cursor: String?

    public static let sortFields = ["area", "dataset", "year"]
    public static let defaultSort = SortKey(field: "area")

    public init(dataset: String? = nil, areas: [String]? = nil, level: GeographicLevel? = nil, year: Int? = nil, latestOnly: Bool = false,
                sort: SortKey? = nil, limit: Int = PageLimit.default, cursor: String? = nil) {
        self.dataset = dataset
        self.areas = areas
        self.level = level
        self.year = year
        self.latestOnly = latestOnly
        self.sort = sort
        self.limit = limit
        self.cursor = cursor
    }
}

extension StoreState {
    /// The area codes a name stands for: `england`, a region's name or code (E12, E13), or
    /// any name of a council (with the joint returns it made). Nil when it names nothing.
    public func figureAreas(named key: String) -> [String]? {
        if let area = AreaCode.named(key) { return [area] }
        if let council = council(named: key) ?? council(named: key.lowercased()) ?? council(named: key.uppercased()) {
            return [council.code] + jointReturnAreas(containing: council.code)
        }
        return nil
    }

    public func figures(_ query: FigureQuery) throws(QueryError) -> Page<FigureRow> {
        let sort = try Paginator.validateSort(query.sort, allowed: FigureQuery.sortFields, default: FigureQuery.defaultSort)
        let wanted = query.areas.map(Set.init)
        var candidates: [FigureRow] = []
        let datasets = query.dataset.map { [$0] } ?? Array(figureTable.keys)
        for dataset in datasets {
            var newest: [String: FigureRow] = [:]
            for (year, areas) in figureTable[dataset] ?? [:] where query.year == nil || query.year == year {
                for (area, row) in areas {
                    if let wanted, !wanted.contains(area) { continue }
                    if let level = query.level, row.level != level { continue }
                    if query.latestOnly {
                        if (newest[area]?.year ?? Int.min) < year { newest[area] = row }
                    } else {
                        candidates.append(row)
                    }
                }
            }
            candidates += newest.values
        }
        let kind: SortKind = sort.field == "year" ? .int : .string
        return try Paginator.page(candidates, list: "figures", sort: sort, kind: kind, limit: query.limit, cursor: query.cursor,
                                  value: { row in
                                      switch sort.field {
                                      case "dataset": return .string(row.dataset)
                                      case "year": return .int(row.year)
                                      default: return .string(row.area)
                                      }
                                  }, id: { "\($0.area)|\($0.dataset)|\($0.year)" })
    }
}
