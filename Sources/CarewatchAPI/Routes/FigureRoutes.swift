import CarewatchCore
import HTTPEngine

/// `GET /v1/figures`: the published rows behind the comparison (DfE's England, regional,
/// joint-return and council rows of each dataset), as stored, with DfE's symbols.
struct FigureRoutes {
    let context: APIContext

    func register(in router: inout Router) {
        router.add(.get, "/v1/figures", context.read(list))
    }

    @Sendable func list(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let reader = try QueryReader(request, allowed: QueryReader.listParameters.union(["dataset", "area", "level", "year"]))
        var query = FigureQuery()
        if let dataset = try reader.string("dataset") {
            guard MeasureCatalog.dataset(dataset) != nil else {
                throw .badParameter("dataset", "must be one of \(MeasureCatalog.datasets.map(\.id).joined(separator: ", "))")
            }
            query.dataset = dataset
        }
        if let area = try reader.string("area") {
            guard let areas = state.figureAreas(named: area) else {
                throw .badParameter("area", "names no area: give england, a region (West Midlands or E12000005) or a council")
            }
            query.areas = areas
        }
        query.level = try reader.choice("level", GeographicLevel.self)
        (query.year, query.latestOnly) = try WorkforceRoutes.year(reader)
        try YearFilter.check("year", query.year, latest: context.clock.today.year,
                             held: query.dataset.map { state.figureYears(dataset: $0) } ?? state.figureYears)
        query.sort = try reader.sort(allowed: FigureQuery.sortFields)
        (query.limit, query.cursor) = try reader.page()
        return try context.listResponse(request, state) { () throws(QueryError) in try state.figures(query) } json: { row, writer in
            row.writeJSON(into: &writer)
        } csv: { rows in
            CSVExport.figures(rows)
        }
    }
}
