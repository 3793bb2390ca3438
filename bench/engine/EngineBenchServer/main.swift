import HTTPEngine
import Glibc

// A minimal server on the engine alone, for measuring the engine against other frameworks:
// `/healthz` answers {"status":"ok"} like every peer; no store, no JSON encoding.
// Usage: EngineBenchServer [port] (or $PORT); binds 127.0.0.1.

let env = { (name: String) -> String? in getenv(name).map { String(cString: $0) } }
var config = ServerConfiguration()
config.host = env("HOST") ?? "127.0.0.1"
config.port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8080 : Int(env("PORT") ?? "") ?? 8080
if let loops = env("LOOPS").flatMap(Int.init) { config.eventLoopCount = loops }

let health: [UInt8] = Array(#"{"status":"ok"}"#.utf8)
var router = Router()
router.add(.get, "/healthz") { _, responder in
    responder.respond(.json(health))
}
router.add(.get, "/v1/councils/{council}") { request, responder in
    let code = request.pathParameters["council"] ?? ""
    responder.respond(.problem(.notFound, detail: "No council \(code) in the engine bench server"))
}

let server = HTTPServer(configuration: config, router: router)
do {
    try server.start()
} catch {
    let message = Array("EngineBenchServer: \(error)\n".utf8)
    _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(1)
}
let banner = Array("EngineBenchServer listening on \(config.host):\(server.boundPort)\n".utf8)
_ = banner.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
server.runUntilTerminated()
