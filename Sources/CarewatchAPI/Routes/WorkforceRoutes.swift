import CarewatchCore
import HTTPEngine

/// Workforce figures: all rows (`/v1/workforce`), one council's series (oldest first) and
/// one council-year row, which PUT creates or replaces.
struct WorkforceRoutes {
    let context: APIContext

    static let yearRange = WorkforceYear.plausibleYears

    func register(in router: inout Router) {
        router.add(.get, "/v1/workforce", context.read(listAll))
        router.add(.get, "/v1/councils/{council}/workforce", context.read(listForCouncil))
        router.add(.get, "/v1/councils/{council}/workforce/{year}", context.read(show))
        router.add(.put, "/v1/councils/{council}/workforce/{year}", context.write(put))
        router.add(.delete, "/v1/councils/{council}/workforce/{year}", context.write(delete))
    }

    @Sendable func listAll(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let reader = try QueryReader(request, allowed: QueryReader.listParameters.union(["year", "region", "council"]))
        var query = WorkforceQuery()
        (query.year, query.latestOnly) = try WorkforceRoutes.year(reader)
        try YearFilter.check("year", query.year, latest: context.clock.reportingYear, held: state.workforceYears)
        query.region = try reader.region()
        if let key = try reader.string("council", maxLength: 100) { query.council = try context.councilFilter(key, in: state) }
        query.sort = try reader.sort(allowed: WorkforceQuery.sortFields)
        (query.limit, query.cursor) = try reader.page()
        return try list(request, state, query)
    }

    @Sendable func listForCouncil(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let council = try context.council(request, in: state)
        let reader = try QueryReader(request, allowed: QueryReader.listParameters.union(["year"]))
        var query = WorkforceQuery()
        query.council = council.code
        (query.year, query.latestOnly) = try WorkforceRoutes.year(reader)
        try YearFilter.check("year", query.year, latest: context.clock.reportingYear, held: state.workforceYears)
        query.sort = try reader.sort(allowed: WorkforceQuery.sortFields)
            ?? SortKey(field: "year", descending: false)
        (query.limit, query.cursor) = try reader.page()
        return try list(request, state, query)
    }

    /// `year=2025`, or `year=latest` for each council's newest row.
    static func year(_ reader: QueryReader) throws(APIError) -> (year: Int?, latest: Bool) {
        guard try reader.string("year") != "latest" else { return (nil, true) }
        do {
            return (try reader.integer("year", in: yearRange), false)
        } catch {
            throw .badParameter("year", "must be latest or an integer from \(yearRange.lowerBound) to \(yearRange.upperBound)")
        }
    }

    private func list(_ request: HTTPRequest, _ state: StoreState, _ query: WorkforceQuery) throws(APIError) -> HTTPResponse {
        try context.listResponse(request, state) { () throws(QueryError) in try state.workforce(query) } json: { row, writer in
            row.writeJSON(into: &writer)
        } csv: { rows in
            Exporter.workforceCSV(rows)
        }
    }

    @Sendable func show(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        _ = try QueryReader(request, allowed: [])
        let (council, year) = try councilAndYear(request, state)
        guard let row = state.workforce(council: council.code, year: year) else {
            let reportingYear = context.clock.reportingYear
            guard year <= reportingYear else {
                throw APIError(.notFound, "there are no workforce figures for \(year) yet: the current reporting year is \(reportingYear) (figures as at 30 September)")
            }
            throw .notFound("the workforce row of \(council.code) for \(year)")
        }
        let entry = try context.workforceEntry(row, pretty: representation.pretty)
        return CacheableResponse.make(entry, representation: representation, request: request)
    }

    @Sendable func put(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        let representation = try Representation(writing: request)
        var body = try RequestBody.object(request)
        let (created, state) = try await store.write { state throws in
            let (council, year) = try councilAndYear(request, state)
            let current = state.workforce(council: council.code, year: year)
            try context.checkPreconditions(request, current: current.map { ETag.version(.init(major: $0.version)) })
            var errors: [FieldError] = []
            if let named = body["council"], named.stringValue.flatMap({ state.council(named: $0)?.code }) != council.code {
                errors.append(FieldError(field: "council", message: "must name the council in the path (\(council.code))"))
            }
            if let given = body["year"], given.intValue != year {
                errors.append(FieldError(field: "year", message: "must equal the year in the path (\(year))"))
            }
            guard errors.isEmpty else { throw APIError.invalid(errors) }
            body["council"] = .string(council.code)
            body["year"] = .number(Double(year))
            var row = try WorkforceYear(json: .object(body))
            row.deriveRates()
            return ([.putWorkforce(row)], current == nil)
        }
        let (council, year) = try councilAndYear(request, state)
        guard let stored = state.workforce(council: council.code, year: year) else { throw APIError.notFound("workforce row") }
        return WrittenResponse.make(
            try context.workforceEntry(stored, pretty: representation.pretty), status: created ? .created : .ok,
            location: created ? "/v1/councils/\(council.code)/workforce/\(year)" : nil)
    }

    @Sendable func delete(_ request: HTTPRequest, _ store: Store) async throws -> HTTPResponse {
        _ = try QueryReader(request, allowed: [], representation: false)
        _ = try await store.write { state throws in
            let (council, year) = try councilAndYear(request, state)
            guard let current = state.workforce(council: council.code, year: year) else {
                throw APIError.notFound("the workforce row of \(council.code) for \(year)")
            }
            try context.checkPreconditions(request, current: ETag.version(.init(major: current.version)))
            return ([.deleteWorkforce(council: council.code, year: year)], ())
        }
        return HTTPResponse(status: .noContent)
    }

    private func councilAndYear(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> (Council, Int) {
        let year = try WorkforceRoutes.year(request)
        return (try context.council(request, in: state), year)
    }

    /// The `{year}` of the path: four digits, within the years the data can hold. Anything
    /// else is a malformed address (400 saying why), not a row that happens to be missing.
    static func year(_ request: HTTPRequest) throws(APIError) -> Int {
        let text = request.pathParameters["year"] ?? ""
        guard text.utf8.count == 4, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }), let year = Int(text) else {
            throw .badPathParameter("year", "must be a census year written with four digits, such as 2018, not '\(text)'")
        }
        guard yearRange.contains(year) else {
            throw .badPathParameter("year", "must be from \(yearRange.lowerBound) to \(yearRange.upperBound), not \(year)")
        }
        return year
    }
}

extension APIContext {
    func workforceEntry(_ row: WorkforceYear, pretty: Bool) throws(APIError) -> EncodedCache.Entry {
        try cache.resource("workforce:\(row.council):\(row.year)", stamp: .init(major: row.version), pretty: pretty) { writer in
            row.writeJSON(into: &writer)
        }
    }
}
