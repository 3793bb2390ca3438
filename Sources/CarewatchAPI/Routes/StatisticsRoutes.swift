import CarewatchCore
import HTTPEngine

/// `/v1/stats/ratings` and `/v1/stats/workforce`: the figures a dashboard draws directly, as
/// JSON or CSV. They are derived from the whole store, so each answer is cached per store
/// generation.
struct StatisticsRoutes {
    let context: APIContext

    enum Basis: String, CaseIterable { case published, ofsted }
    enum GroupBy: String, CaseIterable { case rating }
    enum GradeAtChoice: String, CaseIterable { case census, latest }

    func register(in router: inout Router) {
        router.add(.get, "/v1/stats/ratings", context.read(ratings))
        router.add(.get, "/v1/stats/workforce", context.read(workforce))
    }

    @Sendable func ratings(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: true)
        let reader = try QueryReader(request, allowed: ["as_of", "basis"])
        let today = context.clock.today
        let asOf = try reader.date("as_of")
        if let asOf, asOf > today {
            throw .badParameter("as_of", "must not be after today (\(today)): the grades of a date to come are not known")
        }
        let basis: RatingBasis = try reader.choice("basis", Basis.self) == .ofsted ? .ofsted : .published
        // Without `as_of` the answer is "as of today", so it also changes at midnight.
        let day = asOf == nil ? UInt64(today.year * 10_000 + today.month * 100 + today.day) : 0
        let entry = try context.cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation, minor: day)) { () throws(APIError) in
            let statistics = RatingStatistics.compute(state, asOf: asOf ?? today, basis: basis)
            if representation.format == .csv { return statistics.csv() }
            var writer = JSONWriter(pretty: representation.pretty)
            statistics.writeJSON(into: &writer)
            return writer.bytes
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }

    @Sendable func workforce(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: true)
        let reader = try QueryReader(request, allowed: ["year", "by", "grade_at"])
        let year = try reader.integer("year", in: WorkforceRoutes.yearRange)
        try YearFilter.check("year", year, latest: context.clock.reportingYear, held: state.workforceYears)
        let byRating = try reader.choice("by", GroupBy.self) == .rating
        let gradeAtChoice = try reader.choice("grade_at", GradeAtChoice.self)
        if gradeAtChoice != nil, !byRating {
            throw .badParameter("grade_at", "applies only with by=rating")
        }
        let gradeAt: GradeAt = gradeAtChoice == .latest ? .latest : .census
        let entry = try context.cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation)) { () throws(APIError) in
            let statistics = WorkforceStatistics.compute(state, year: year, byRating: byRating, gradeAt: gradeAt)
            if representation.format == .csv { return statistics.csv() }
            var writer = JSONWriter(pretty: representation.pretty)
            statistics.writeJSON(into: &writer)
            return writer.bytes
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }
}
