import Synchronization

/// Request counts by (method, route pattern, status) and a latency histogram by (method, route),
/// in Prometheus text format. Keyed by pattern, not path, so label cardinality stays bounded.
/// A request the router matched is counted in a slot found by the route's index, so counting
/// hashes no strings; anything else (404s, 405s, direct `record` calls) is looked up by name.
public final class RequestMetrics: HTTPMiddleware {
    struct RouteKey: Hashable { var method: String; var route: String }
    struct Series {
        var method: String
        var route: String
        var statuses: [(code: Int, count: UInt64)] = []
        var buckets: [UInt64] = Array(repeating: 0, count: RequestMetrics.bucketBounds.count + 1)
        var sum: Double = 0
        var count: UInt64 = 0

        mutating func record(status: Int, seconds: Double, bucket: Int) {
            if let i = statuses.firstIndex(where: { $0.code == status }) {
                statuses[i].count += 1
            } else {
                statuses.append((code: status, count: 1))
            }
            buckets[bucket] += 1
            sum += seconds
            count += 1
        }
    }
    struct State {
        /// Indexed by the router's route index.
        var routed: [Series?] = []
        var byName: [RouteKey: Series] = [:]
    }

    public static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    let namespace: String
    let state = Mutex(State())

    /// `namespace` prefixes every metric name (`<namespace>_http_requests_total`): the
    /// application's name, so its metrics do not collide with other programs'.
    public init(namespace: String) { self.namespace = namespace }

    public func handle(_ request: consuming HTTPRequest, _ responder: Responder, next: HTTPHandler) {
        let start = monotonicNanos()
        let method = request.method.rawValue
        let route = request.routePattern ?? "unmatched"
        let index = request.routeIndex
        next(request, Responder { [self] response in
            let seconds = Double(monotonicNanos() &- start) / 1e9
            record(index: index, method: method, route: route, status: response.status.code, seconds: seconds)
            responder.respond(response)
        })
    }

    public func record(method: String, route: String, status: Int, seconds: Double) {
        record(index: nil, method: method, route: route, status: status, seconds: seconds)
    }

    private func record(index: Int?, method: String, route: String, status: Int, seconds: Double) {
        let bounds = RequestMetrics.bucketBounds
        var bucket = bounds.count
        for (i, b) in bounds.enumerated() where seconds <= b { bucket = i; break }
        state.withLock { s in
            if let index {
                if index >= s.routed.count { s.routed.append(contentsOf: repeatElement(nil, count: index + 1 - s.routed.count)) }
                if s.routed[index] == nil { s.routed[index] = Series(method: method, route: route) }
                s.routed[index]!.record(status: status, seconds: seconds, bucket: bucket)
            } else {
                s.byName[RouteKey(method: method, route: route), default: Series(method: method, route: route)]
                    .record(status: status, seconds: seconds, bucket: bucket)
            }
        }
    }

    /// Every series, a route counted under both paths merged into one.
    private var allSeries: [Series] {
        let s = state.withLock { $0 }
        var merged: [RouteKey: Series] = s.byName
        for case let series? in s.routed {
            let key = RouteKey(method: series.method, route: series.route)
            guard var m = merged[key] else { merged[key] = series; continue }
            for (code, count) in series.statuses {
                if let i = m.statuses.firstIndex(where: { $0.code == code }) { m.statuses[i].count += count } else { m.statuses.append((code, count)) }
            }
            for i in m.buckets.indices { m.buckets[i] += series.buckets[i] }
            m.sum += series.sum
            m.count += series.count
            merged[key] = m
        }
        return Array(merged.values)
    }

    /// Total requests counted so far (all labels).
    public var totalRequests: UInt64 { allSeries.reduce(0) { $0 + $1.count } }

    public func prometheusText() -> String {
        let series = allSeries.sorted { ($0.route, $0.method) < ($1.route, $1.method) }
        func esc(_ s: String) -> String {
            var o = ""
            for c in s { switch c { case "\\": o += "\\\\"; case "\"": o += "\\\""; case "\n": o += "\\n"; default: o.append(c) } }
            return o
        }
        var out = "# HELP \(namespace)_http_requests_total HTTP requests by method, route and status.\n"
        out += "# TYPE \(namespace)_http_requests_total counter\n"
        for k in series {
            for (code, count) in k.statuses.sorted(by: { $0.code < $1.code }) {
                out += "\(namespace)_http_requests_total{method=\"\(esc(k.method))\",route=\"\(esc(k.route))\",status=\"\(code)\"} \(count)\n"
            }
        }
        let name = "\(namespace)_http_request_duration_seconds"
        out += "# HELP \(name) HTTP request latency by method and route.\n"
        out += "# TYPE \(name) histogram\n"
        for h in series {
            let labels = "method=\"\(esc(h.method))\",route=\"\(esc(h.route))\""
            var cumulative: UInt64 = 0
            for (i, bound) in RequestMetrics.bucketBounds.enumerated() {
                cumulative += h.buckets[i]
                out += "\(name)_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
            }
            cumulative += h.buckets[RequestMetrics.bucketBounds.count]
            out += "\(name)_bucket{\(labels),le=\"+Inf\"} \(cumulative)\n"
            out += "\(name)_sum{\(labels)} \(h.sum)\n"
            out += "\(name)_count{\(labels)} \(h.count)\n"
        }
        return out
    }
}
