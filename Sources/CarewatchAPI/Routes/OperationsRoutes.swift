import CarewatchCore
import HTTPEngine

/// Liveness, readiness, Prometheus metrics and the OpenAPI document: what orchestrators,
/// monitoring and client generators ask of the server.
struct OperationsRoutes {
    let context: APIContext
    let metrics: RequestMetrics
    /// Read lazily: the server exists only after the router that it serves has been built.
    let openConnections: @Sendable () -> Int
    /// What the engine handled on its own (deadlines, slow clients), read the same way.
    let engineStatistics: @Sendable () -> HTTPServer.Statistics?

    static let openAPIDocument: [UInt8] = Array((EmbeddedDocuments.files["openapi.yaml"] ?? "").utf8)
    static let openAPIETag = ETag.strong(for: openAPIDocument)

    func register(in router: inout Router) {
        router.add(.get, "/healthz") { _, responder in
            responder.respond(OperationsRoutes.json(.ok, OperationsRoutes.okBody))
        }
        router.add(.get, "/readyz") { [context] _, responder in
            if context.readiness.isReady {
                responder.respond(OperationsRoutes.json(.ok, OperationsRoutes.readyBody))
            } else {
                responder.respond(APIError(.serviceUnavailable, "not ready: loading data or shutting down", headers: [("Retry-After", "1")]).response)
            }
        }
        router.add(.get, "/metrics") { [self] _, responder in
            var headers = HTTPHeaders()
            headers.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            headers.set("Cache-Control", "no-store")
            responder.respond(HTTPResponse(status: .ok, headers: headers, body: .bytes(Array(prometheusText().utf8))))
        }
        router.add(.get, "/openapi.yaml") { request, responder in
            // Like /openapi.json, it takes no query parameter (the probes above ignore theirs).
            do throws(APIError) {
                _ = try QueryReader(request, allowed: [], representation: false)
            } catch {
                responder.respond(error.response)
                return
            }
            var headers = HTTPHeaders()
            headers.set("ETag", OperationsRoutes.openAPIETag)
            headers.set("Cache-Control", CacheableResponse.cacheControl(for: request))
            if ETag.noneMatchHits(request.headers["If-None-Match"], etag: OperationsRoutes.openAPIETag) {
                responder.respond(HTTPResponse(status: .notModified, headers: headers))
                return
            }
            headers.set("Content-Type", "application/yaml")
            responder.respond(HTTPResponse(status: .ok, headers: headers, body: .bytes(OperationsRoutes.openAPIDocument)))
        }
    }

    static let okBody = Array(#"{"status":"ok"}"#.utf8)
    static let readyBody = Array(#"{"status":"ready"}"#.utf8)

    /// A JSON answer that describes the moment, not a resource: never cached.
    static func json(_ status: HTTPStatus, _ body: [UInt8]) -> HTTPResponse {
        var response = HTTPResponse.json(body, status: status)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    /// Request metrics from the engine, then the server's and the store's own gauges.
    func prometheusText() -> String {
        var text = metrics.prometheusText()
        func gauge(_ name: String, _ help: String, _ value: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name) \(value)\n"
        }
        gauge("carewatch_open_connections", "Client connections currently open.", String(openConnections()))
        gauge("carewatch_ready", "1 when the server accepts traffic, 0 while loading or draining.", context.readiness.isReady ? "1" : "0")
        if let engine = engineStatistics() {
            func counter(_ name: String, _ help: String, _ value: UInt64) {
                text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
            }
            counter("carewatch_response_timeouts_total", "Requests answered 503 because the handler did not answer in time.", engine.responseTimeouts)
            counter("carewatch_request_timeouts_total", "Requests answered 408 because the head or body came too late or too slowly.", engine.requestTimeouts)
            counter("carewatch_slow_clients_disconnected_total", "Clients disconnected for reading their answer too slowly.", engine.slowReadersDisconnected)
            // The engine's streamsCutOff is not shown: the change stream is carewatch's only
            // pushed stream, and carewatch_change_streams_cut_off_total counts those it ends.
        }
        guard let store = context.gate.current else { return text }
        let state = store.state
        let statistics = store.statistics
        text += "# HELP carewatch_store_records Records held in the store, by collection.\n# TYPE carewatch_store_records gauge\n"
        text += "carewatch_store_records{collection=\"councils\"} \(state.councilCount)\n"
        text += "carewatch_store_records{collection=\"inspections\"} \(state.inspectionCount)\n"
        text += "carewatch_store_records{collection=\"workforce\"} \(state.workforceCount)\n"
        text += "carewatch_store_records{collection=\"figures\"} \(state.figureCount)\n"
        text += "carewatch_store_records{collection=\"neighbours\"} \(state.neighbourListCount)\n"
        gauge("carewatch_store_generation", "Commits applied since the data directory was created.", String(state.generation))
        gauge("carewatch_journal_bytes", "Size of the journal not yet covered by a snapshot.", String(statistics.journalBytes))
        let age = statistics.lastSnapshotAt.map { String(max(0, Timestamp.now().secondsSince1970 - $0.secondsSince1970)) } ?? "NaN"
        gauge("carewatch_snapshot_age_seconds", "Seconds since the last snapshot was written.", age)
        func counter(_ name: String, _ help: String, _ value: Int) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n"
        }
        counter("carewatch_store_commits_total", "Writes made durable since start-up.", statistics.commits)
        counter("carewatch_store_syncs_total", "fdatasync calls that made them durable (concurrent writes share one).", statistics.syncs)
        counter("carewatch_store_failed_commits_total", "Writes refused because the disk failed.", statistics.failedCommits)
        gauge("carewatch_store_largest_commit_batch", "The most writes one fdatasync has carried since start-up.", String(statistics.largestBatch))
        gauge("carewatch_history_retention_changes", "Changes kept for history and the change feed, at least (--history-retention).", String(statistics.historyRetention))
        gauge("carewatch_history_changes", "Changes held now for history and the change feed.", String(statistics.historyChanges))
        gauge("carewatch_history_oldest_sequence", "The oldest change held; GET /v1/changes?since= older than one before it is 410.", String(statistics.oldestChange))
        gauge("carewatch_history_latest_sequence", "The newest change's sequence.", String(statistics.latestChange))
        gauge("carewatch_change_streams_open", "Change streams (GET /v1/changes/stream) open now.", String(context.streams.openStreams))
        counter("carewatch_change_streams_cut_off_total", "Change streams ended because their client fell behind: it stayed behind for longer than --stream-max-lag, behind the oldest change kept, or let more than the stream's send buffer pile up unread. Each stream counts once.", context.streams.streamsCutOff)
        return text
    }
}
