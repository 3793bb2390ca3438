import CarewatchCore
import HTTPEngine

/// The whole API v1 as one router: middleware outermost first, then every route. The
/// openapi.yaml ↔ router test reads `routes` from here, so the document and the server
/// cannot drift apart silently.
enum APIRouter {
    static func make(
        context: APIContext, metrics: RequestMetrics, corsOrigins: [String], accessLog: Bool,
        importBodyLimit: Int, openConnections: @escaping @Sendable () -> Int,
        engineStatistics: @escaping @Sendable () -> HTTPServer.Statistics? = { nil }
    ) -> Router {
        var router = Router()
        router.use(RequestIDMiddleware())
        if accessLog { router.use(AccessLogMiddleware()) }
        router.use(metrics)
        if !corsOrigins.isEmpty { router.use(CORSMiddleware(allowedOrigins: corsOrigins)) }
        CouncilRoutes(context: context).register(in: &router)
        InspectionRoutes(context: context).register(in: &router)
        WorkforceRoutes(context: context).register(in: &router)
        StatisticsRoutes(context: context).register(in: &router)
        RatingSeriesRoutes(context: context).register(in: &router)
        MeasureRoutes(context: context).register(in: &router)
        ComparisonRoutes(context: context).register(in: &router)
        FigureRoutes(context: context).register(in: &router)
        HistoryRoutes(context: context).register(in: &router)
        ChangeRoutes(context: context).register(in: &router)
        BulkRoutes(context: context, importBodyLimit: importBodyLimit).register(in: &router)
        OperationsRoutes(context: context, metrics: metrics, openConnections: openConnections,
                         engineStatistics: engineStatistics).register(in: &router)
        DocumentationRoutes().register(in: &router)
        DashboardRoutes().register(in: &router)
        return router
    }
}
