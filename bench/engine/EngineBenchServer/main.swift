import HTTPEngine
import Foundation
import Glibc

// A minimal server on the engine alone, to measure the engine against other frameworks with
// the shared bench kit. It answers the kit's four endpoints with the least application work
// possible, so the figures are the engine's cost: council and list bodies are rendered once at
// start-up from $FIXTURE; PUT checks the row names the council and year and echoes it
// (no JSON decoding: that is the application's cost, not the engine's). /healthz answers {"status":"ok"}.
//
// Usage: EngineBenchServer [port]   (or $PORT; $HOST, default 127.0.0.1; $LOOPS event loops)

func env(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

var config = ServerConfiguration()
config.host = env("HOST") ?? "127.0.0.1"
config.port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8080 : Int(env("PORT") ?? "") ?? 8080
if let loops = env("LOOPS").flatMap(Int.init) { config.eventLoopCount = loops }
config.ignoresSIGPIPE = true
config.raisesDescriptorLimit = true

// Fixture: each council pre-rendered as compact JSON, reachable by code, former code, la_code, slug.
var councilBodies: [[UInt8]] = []
var councilIndex: [String: Int] = [:]
if let path = env("FIXTURE"), let data = FileManager.default.contents(atPath: path),
   let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
   let councils = document["councils"] as? [[String: Any]] {
    for council in councils {
        let i = councilBodies.count
        councilBodies.append([UInt8]((try? JSONSerialization.data(withJSONObject: council)) ?? Data()))
        if let code = council["code"] as? String { councilIndex[code] = i }
        if let slug = council["slug"] as? String { councilIndex[slug] = i }
        if let la = council["la_code"] as? Int { councilIndex[String(la)] = i }
        for former in council["former_codes"] as? [String] ?? [] { councilIndex[former] = i }
    }
}
let bodies = councilBodies
let index = councilIndex
func listBody(_ limit: Int) -> [UInt8] {
    var out = Array(#"{"data":["#.utf8)
    for (i, body) in bodies.prefix(limit).enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out += body
    }
    out += Array(#"],"total":\#(bodies.count),"next_cursor":null}"#.utf8)
    return out
}
let defaultList = listBody(50)
let apiKeys = Set((env("CAREWATCH_API_KEYS") ?? "bench-key").split(separator: ",").map { "Bearer " + $0 })
let health: [UInt8] = Array(#"{"status":"ok"}"#.utf8)

var router = Router()
router.add(.get, "/healthz") { _, responder in
    responder.respond(.json(health))
}
router.add(.get, "/v1/councils") { request, responder in
    guard let raw = request.query["limit"] else { return responder.respond(.json(defaultList)) }
    guard let limit = Int(raw), (1...500).contains(limit) else {
        return responder.respond(.problem(.badRequest, detail: "limit must be 1..500"))
    }
    responder.respond(.json(limit == 50 ? defaultList : listBody(limit)))
}
router.add(.get, "/v1/councils/{council}") { request, responder in
    let key = request.pathParameters["council"] ?? ""
    guard let i = index[key] else { return responder.respond(.problem(.notFound, detail: "No council \(key)")) }
    responder.respond(.json(bodies[i]))
}
router.add(.put, "/v1/councils/{council}/workforce/{year}") { request, responder in
    guard let auth = request.headers["Authorization"], apiKeys.contains(auth) else {
        var r = HTTPResponse.problem(.unauthorized, detail: "A valid bearer key is required")
        r.headers.add("WWW-Authenticate", "Bearer")
        return responder.respond(r)
    }
    let key = request.pathParameters["council"] ?? ""
    guard index[key] != nil else { return responder.respond(.problem(.notFound, detail: "No council \(key)")) }
    // Engine bench: no JSON decoding. The row must name this council and year; it is echoed back.
    let year = request.pathParameters["year"] ?? ""
    guard contains(request.body, Array("\"council\":\"\(key)\"".utf8)), contains(request.body, Array("\"year\":\(year)".utf8)) else {
        return responder.respond(.problem(.unprocessableContent, detail: "Not a workforce row for this council and year"))
    }
    responder.respond(.json(request.body))
}

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    outer: for i in 0...(haystack.count - needle.count) {
        for j in 0..<needle.count where haystack[i + j] != needle[j] { continue outer }
        return true
    }
    return false
}

// Server-Sent Events on the engine's pushed bodies: every stream open on GET /events receives each
// event POSTed to /events (its body is the data line), so idle_streams.py can measure what an
// idle stream costs and check that all of them still deliver.
final class EventHub: @unchecked Sendable {
    private let lock = NSLock()
    private var streams: [ObjectIdentifier: ResponseStream] = [:]
    func add(_ stream: ResponseStream) { lock.lock(); streams[ObjectIdentifier(stream)] = stream; lock.unlock() }
    func remove(_ id: ObjectIdentifier) { lock.lock(); streams[id] = nil; lock.unlock() }
    func broadcast(_ event: [UInt8]) -> Int {
        lock.lock(); let all = Array(streams.values); lock.unlock()
        return all.filter { $0.write(event) }.count
    }
}
let hub = EventHub()
router.add(.get, "/events") { _, responder in
    let box = StreamBox()
    let stream = ResponseStream(bufferLimit: 64 * 1024) { reason in
        if let id = box.id { hub.remove(id) }
        return reason == .connectionClosed ? nil : Array("event: end\ndata: \(reason)\n\n".utf8)
    }
    box.id = ObjectIdentifier(stream)
    hub.add(stream)
    var headers = HTTPHeaders()
    headers.add("Content-Type", "text/event-stream")
    headers.add("Cache-Control", "no-store")
    responder.respond(HTTPResponse(headers: headers, body: .push(stream)))
}
router.add(.post, "/events") { request, responder in
    let delivered = hub.broadcast(Array("data: ".utf8) + request.body + Array("\n\n".utf8))
    responder.respond(.json(Array(#"{"delivered":\#(delivered)}"#.utf8)))
}
final class StreamBox: @unchecked Sendable { var id: ObjectIdentifier? }

// Body handling without any JSON work, to separate the engine's cost from the application's.
router.add(.put, "/echo") { request, responder in responder.respond(.json(request.body)) }
router.add(.post, "/echo") { request, responder in responder.respond(.json(request.body)) }

let server = HTTPServer(configuration: config, router: router)
do {
    try server.start()
} catch {
    FileHandle.standardError.write(Data("EngineBenchServer: \(error)\n".utf8))
    exit(1)
}
FileHandle.standardOutput.write(Data("EngineBenchServer listening on \(config.host):\(server.boundPort)\n".utf8))
server.runUntilTerminated()
