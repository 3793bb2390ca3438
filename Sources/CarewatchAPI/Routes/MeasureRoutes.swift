import CarewatchCore
import HTTPEngine

/// `GET /v1/measures` and `GET /v1/measures/{measure}`: the measure dictionary, the single
/// source of truth for every figure the comparison serves. The years held depend on the data,
/// so answers are cached per store generation.
struct MeasureRoutes {
    let context: APIContext

    func register(in router: inout Router) {
        router.add(.get, "/v1/measures", context.read(list))
        router.add(.get, "/v1/measures/{measure}", context.read(show))
    }

    @Sendable func list(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        _ = try QueryReader(request, allowed: [])
        let entry = try context.cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation)) { () throws(APIError) in
            var writer = JSONWriter(pretty: representation.pretty, capacity: 32 * 1024)
            MeasureCatalog.writeDictionary(state, into: &writer)
            return writer.bytes
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }

    @Sendable func show(_ request: HTTPRequest, _ state: StoreState) throws(APIError) -> HTTPResponse {
        let representation = try Representation(request, csvAllowed: false)
        _ = try QueryReader(request, allowed: [])
        let id = request.pathParameters["measure"] ?? ""
        guard let measure = MeasureCatalog.measure(id) else { throw .notFound("measure '\(id)' (GET /v1/measures lists them)") }
        let entry = try context.cache.entry(for: CacheKey.list(request, representation), stamp: .init(major: state.generation)) { () throws(APIError) in
            var writer = JSONWriter(pretty: representation.pretty)
            MeasureCatalog.writeMeasure(measure, state: state, into: &writer)
            return writer.bytes
        }
        return CacheableResponse.make(entry, representation: representation, request: request)
    }
}
