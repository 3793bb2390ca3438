import CarewatchCore
import HTTPEngine

/// `/v1/stats/ratings/series`: the as-at replay of `/v1/stats/ratings` on many dates in one
/// answer, so a chart of grades over time costs one request instead of one per date.
struct RatingSeriesRoutes {
    let context: APIContext

    /// Enough for every quarter over fifteen years; a bound, since each date is a replay.
    static let maximumDates = 60

    func register(in router: inout Router) {
        router.add(.get, "/v1/stats/ratings/series", context.read(series))
    }

    @Sendable func series(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        let reader = try QueryReader(request, allowed: ["as_of", "basis"])
        let dates = try RatingSeriesRoutes.dates(try reader.string("as_of"))
        let today = context.clock.today
        if let last = dates.last, last > today {
            throw .badParameter("as_of", "must not be after today (\(today)): the grades of a date to come are not known (\(last))")
        }
        let basis: RatingBasis = try reader.choice("basis", StatisticsRoutes.Basis.self) == .ofsted ? .ofsted : .published
        let entry = try context.cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation)) { () throws(APIError) in
            let councils = state.councilsAll()
            let inspections = state.inspectionsAll()
            var writer = JSONWriter(pretty: representation.pretty, capacity: 2048 * dates.count)
            writer.beginObject()
            writer.field("basis", basis.rawValue)
            writer.key("points")
            writer.beginArray()
            for date in dates {
                RatingStatistics.compute(councils: councils, inspections: inspections, asOf: date, basis: basis).writeJSON(into: &writer)
            }
            writer.endArray()
            writer.endObject()
            return writer.bytes
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }

    /// `as_of=2023-03-31,2024-03-31,…`: required, real dates, strictly ascending.
    static func dates(_ text: String?) throws(APIError) -> [CalendarDate] {
        guard let text else { throw .badParameter("as_of", "is required: dates as YYYY-MM-DD, comma-separated, oldest first") }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count <= maximumDates else { throw .badParameter("as_of", "must list at most \(maximumDates) dates, not \(parts.count)") }
        var dates: [CalendarDate] = []
        for part in parts {
            guard let date = CalendarDate(iso: String(part)) else {
                throw .badParameter("as_of", "'\(part)' is not a date that exists, as YYYY-MM-DD")
            }
            if let last = dates.last, date <= last {
                throw .badParameter("as_of", "dates must be in ascending order without repeats (\(date) follows \(last))")
            }
            dates.append(date)
        }
        return dates
    }
}
