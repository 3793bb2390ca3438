import Synchronization

/// Request counts by (method, route pattern, status) and a latency histogram by (method, route),
/// in Prometheus text format. Keyed by pattern, not path, so label cardinality stays bounded.
public final class RequestMetrics: HTTPMiddleware {
    struct CountKey: Hashable { var method: String; var route: String; var status: Int }
    struct RouteKey: Hashable { var method: String; var route: String }
    struct Histogram { var buckets: [UInt64]; var sum: Double = 0; var count: UInt64 = 0 }

    public static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    let namespace: String
    let state = Mutex<(counts: [CountKey: UInt64], histograms: [RouteKey: Histogram])>(([:], [:]))

    /// `namespace` prefixes every metric name (`<namespace>_http_requests_total`): the
    /// application's name, so its metrics do not collide with other programs'.
    public init(namespace: String) { self.namespace = namespace }

    public func handle(_ request: HTTPRequest, _ responder: Responder, next: HTTPHandler) {
        let start = monotonicNanos()
        let method = request.method.rawValue
        let route = request.routePattern ?? "unmatched"
        next(request, Responder { [self] response in
            let seconds = Double(monotonicNanos() &- start) / 1e9
            record(method: method, route: route, status: response.status.code, seconds: seconds)
            responder.respond(response)
        })
    }

    public func record(method: String, route: String, status: Int, seconds: Double) {
        let bounds = RequestMetrics.bucketBounds
        var bucket = bounds.count
        for (i, b) in bounds.enumerated() where seconds <= b { bucket = i; break }
        state.withLock { s in
            s.counts[CountKey(method: method, route: route, status: status), default: 0] += 1
            let key = RouteKey(method: method, route: route)
            var h = s.histograms[key] ?? Histogram(buckets: Array(repeating: 0, count: bounds.count + 1))
            h.buckets[bucket] += 1
            h.sum += seconds
            h.count += 1
            s.histograms[key] = h
        }
    }

    /// Total requests counted so far (all labels).
    public var totalRequests: UInt64 { state.withLock { $0.counts.values.reduce(0, +) } }

    public func prometheusText() -> String {
        let (counts, histograms) = state.withLock { ($0.counts, $0.histograms) }
        func esc(_ s: String) -> String {
            var o = ""
            for c in s { switch c { case "\\": o += "\\\\"; case "\"": o += "\\\""; case "\n": o += "\\n"; default: o.append(c) } }
            return o
        }
        var out = "# HELP \(namespace)_http_requests_total HTTP requests by method, route and status.\n"
        out += "# TYPE \(namespace)_http_requests_total counter\n"
        for (k, v) in counts.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out += "\(namespace)_http_requests_total{method=\"\(esc(k.method))\",route=\"\(esc(k.route))\",status=\"\(k.status)\"} \(v)\n"
        }
        let name = "\(namespace)_http_request_duration_seconds"
        out += "# HELP \(name) HTTP request latency by method and route.\n"
        out += "# TYPE \(name) histogram\n"
        for (k, h) in histograms.sorted(by: { ($0.key.route, $0.key.method) < ($1.key.route, $1.key.method) }) {
            let labels = "method=\"\(esc(k.method))\",route=\"\(esc(k.route))\""
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
