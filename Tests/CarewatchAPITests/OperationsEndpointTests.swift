import XCTest

/// What orchestrators and monitoring read: liveness, readiness, Prometheus metrics, the
/// OpenAPI document, and readiness turning off when the server stops.
final class OperationsEndpointTests: APITestCase {
    func testHealthz() throws {
        let response = try server.get("/healthz")
        assertStatus(response, 200)
        XCTAssertEqual(response.mediaType, "application/json")
        XCTAssertEqual(response.object["status"] as? String, "ok")
    }

    func testReadyzOnceLoaded() throws {
        let response = try server.get("/readyz")
        assertStatus(response, 200)
        XCTAssertEqual(response.mediaType, "application/json")
    }

    func testMetricsArePrometheusTextWithRequestCountersAndStoreSizes() throws {
        assertStatus(try server.get("/v1/councils/sandwell"), 200)
        assertStatus(try server.get("/v1/councils/sandwell"), 200)
        assertProblem(try server.get("/v1/councils/E99999999"), 404)
        assertStatus(try server.put("/v1/councils/sandwell/workforce/2026", ["caseload": 12.0]), 201)
        let response = try server.get("/metrics")
        assertStatus(response, 200)
        XCTAssertEqual(response.mediaType, "text/plain")
        XCTAssertTrue(response.header("Content-Type")?.contains("version=0.0.4") ?? false, "\(response.header("Content-Type") ?? "")")
        let lines = response.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("# TYPE carewatch_http_requests_total counter") }, response.text)
        // Counted by route pattern, not by raw path (which would let clients explode the series).
        let councilGets = lines.filter {
            $0.hasPrefix("carewatch_http_requests_total{") && $0.contains("/v1/councils/{council}\"")
                && $0.contains("method=\"GET\"") && $0.contains("status=\"200\"")
        }
        XCTAssertEqual(councilGets.count, 1, response.text)
        XCTAssertEqual(councilGets.first.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }, 2)
        XCTAssertTrue(lines.contains { $0.hasPrefix("carewatch_http_requests_total{") && $0.contains("status=\"404\"") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("carewatch_http_requests_total{") && $0.contains("method=\"PUT\"") && $0.contains("status=\"201\"") })
        XCTAssertFalse(response.text.contains("E99999999"), "raw paths are not labels")
        XCTAssertTrue(lines.contains { $0.hasPrefix("carewatch_http_request_duration_seconds_bucket{") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("carewatch_open_connections ") })
        XCTAssertTrue(lines.contains("carewatch_response_timeouts_total 0"), response.text)
        XCTAssertTrue(lines.contains("carewatch_request_timeouts_total 0"), response.text)
        XCTAssertTrue(lines.contains("carewatch_store_records{collection=\"councils\"} 153"), response.text)
        XCTAssertTrue(lines.contains("carewatch_store_records{collection=\"inspections\"} 778"))
        XCTAssertTrue(lines.contains("carewatch_store_records{collection=\"workforce\"} 1326"))
        // DfE's published rows and the neighbour lists are held too, and counted with the rest.
        XCTAssertTrue(lines.contains("carewatch_store_records{collection=\"figures\"} 11567"), response.text)
        XCTAssertTrue(lines.contains("carewatch_store_records{collection=\"neighbours\"} 309"), response.text)
        XCTAssertTrue(lines.contains { $0.hasPrefix("carewatch_snapshot_age_seconds ") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("carewatch_store_commits_total ") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("carewatch_store_syncs_total ") })
        // Every sample line is `name{labels} value` with a number.
        for line in lines where !line.hasPrefix("#") && !line.isEmpty {
            let value = line.split(separator: " ").last.map(String.init) ?? ""
            XCTAssertTrue(Double(value) != nil || ["NaN", "+Inf", "-Inf"].contains(value), "sample line: \(line)")
        }
    }

    func testOpenAPIDocumentIsServed() throws {
        let response = try server.get("/openapi.yaml")
        assertStatus(response, 200)
        XCTAssertTrue(response.text.hasPrefix("openapi:"), String(response.text.prefix(80)))
        XCTAssertTrue(response.text.contains("/v1/councils/{council}"))
        XCTAssertTrue(response.mediaType?.contains("yaml") ?? false, "\(response.header("Content-Type") ?? "")")
    }

    func testStoppingServerTurnsNotReadyThenStopsAnswering() throws {
        let extra = try extraServer()
        assertStatus(try extra.get("/readyz"), 200)
        extra.stop()
        XCTAssertThrowsError(try extra.get("/healthz"), "a stopped server no longer accepts connections")
    }
}
