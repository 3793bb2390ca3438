import CarewatchCore
import HTTPEngine

/// `GET /v1/councils/{council}/neighbours` (DfE's statistical neighbours in one model) and
/// `GET /v1/councils/{council}/compare` (the council against its neighbours, region and
/// England, measure by measure and year by year). Both are derived from the whole store, so
/// each answer is cached per store generation and query, like the other hot reads.
struct ComparisonRoutes {
    let context: APIContext

    enum With: String, CaseIterable { case neighbours, region, england }

    func register(in router: inout Router) {
        router.add(.get, "/v1/councils/{council}/neighbours", context.read(neighbours))
        router.add(.get, "/v1/councils/{council}/compare", context.read(compare))
    }

    @Sendable func neighbours(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        let reader = try QueryReader(request, allowed: ["model"])
        let council = try context.council(request, in: state)
        let model = try ComparisonRoutes.model(reader, state)
        let entry = try context.cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation)) { () throws(APIError) in
            var writer = JSONWriter(pretty: representation.pretty, capacity: 4096)
            state.writeNeighbours(of: council, model: model, into: &writer)
            return writer.bytes
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }

    @Sendable func compare(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: true)
        // The answer for a query already answered in this generation: no parsing beyond the key.
        let key = CacheKey.list(request, representation)
        let stamp = EncodedCache.Stamp(major: state.generation)
        if let entry = context.cache.cached(key, stamp: stamp) {
            return CacheableResponse.make(entry, representation: representation, request: request)
        }
        let reader = try QueryReader(request, allowed: ["measures", "with", "from", "to", "model"])
        let council = try context.council(request, in: state)
        let measures = try ComparisonRoutes.measures(reader)
        let scope = try ComparisonRoutes.scope(reader)
        let from = try reader.integer("from", in: WorkforceRoutes.yearRange)
        let to = try reader.integer("to", in: WorkforceRoutes.yearRange)
        let held = Set(measures.flatMap { state.years(of: $0) }).sorted()
        try YearFilter.range(from: from, to: to, latest: context.clock.today.year, held: held)
        var model: String?
        if scope.neighbours {
            model = try ComparisonRoutes.model(reader, state)
        } else if try reader.string("model") != nil {
            throw .badParameter("model", "applies only when with includes neighbours")
        }
        let entry = try context.cache.entry(for: key, stamp: stamp) { () throws(APIError) in
            let comparison = Comparison.compute(state, council: council, measures: measures, scope: scope, model: model, from: from, to: to)
            if representation.format == .csv { return comparison.csv() }
            var writer = JSONWriter(pretty: representation.pretty, capacity: 16 * 1024)
            comparison.writeJSON(into: &writer, state: state)
            return writer.bytes
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }

    /// `model`: one the store holds; the newest when absent.
    static func model(_ reader: QueryReader, _ state: StoreState) throws(APIError) -> String {
        let models = state.neighbourModels
        guard let given = try reader.string("model") else {
            guard let newest = models.last else { throw APIError(.notFound, "no statistical neighbour model is loaded (import one: see POST /v1/import)") }
            return newest
        }
        guard models.contains(given) else {
            throw .badParameter("model", "must be one of \(models.joined(separator: ", ")), not '\(given)'")
        }
        return given
    }

    /// `measures=a,b`: ids from the dictionary, each once; every measure when absent.
    static func measures(_ reader: QueryReader) throws(APIError) -> [Measure] {
        guard let text = try reader.string("measures") else { return MeasureCatalog.measures }
        var result: [Measure] = []
        for id in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let measure = MeasureCatalog.measure(id) else {
                throw .badParameter("measures", "names an unknown measure '\(id)' (GET /v1/measures lists them)")
            }
            guard !result.contains(where: { $0.id == id }) else { throw .badParameter("measures", "names \(id) twice") }
            result.append(measure)
        }
        return result
    }

    /// `with=neighbours,region,england`: any of the three, each once; all three when absent.
    static func scope(_ reader: QueryReader) throws(APIError) -> Comparison.Scope {
        guard let text = try reader.string("with") else { return Comparison.Scope() }
        var seen: Set<With> = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard let choice = With(rawValue: name) else {
                throw .badParameter("with", "names '\(name)'; it takes neighbours, region and england, comma-separated")
            }
            guard seen.insert(choice).inserted else { throw .badParameter("with", "names \(name) twice") }
        }
        return Comparison.Scope(neighbours: seen.contains(.neighbours), region: seen.contains(.region), england: seen.contains(.england))
    }
}
