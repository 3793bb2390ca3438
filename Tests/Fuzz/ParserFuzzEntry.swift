// libFuzzer entry for the request parser. Built together with the engine sources by
// run-parser-fuzz.sh (one module, so internal types are visible). Each input is parsed whole,
// one byte at a time and in pieces chosen by the input itself; the outcomes must agree, and
// nothing may crash, hang or grow without bound.

/// A small route table so whatever paths the fuzzer invents also go through route matching.
let fuzzRoutes: RouteTable = {
    var router = Router()
    for pattern in ["/", "/a/{x}/c", "/a/b", "/v1/councils/{council}/workforce/{year}", "/v1/councils", "/{p}"] {
        router.add(.get, pattern) { _, _ in }
    }
    return router.makeTable()
}()

enum FuzzOutcome: Equatable {
    case request(String, String, [UInt8])
    case error(Int)
}

func fuzzRun(_ chunks: [UnsafeRawBufferPointer]) -> [FuzzOutcome] {
    var parser = RequestParser(limits: ParserLimits(maxRequestLineBytes: 512, maxHeaderBytes: 1024, maxHeaderCount: 20))
    var out: [FuzzOutcome] = []
    var head: RequestHead?
    for chunk in chunks {
        var offset = 0
        var pending: RequestParser.Result? = nil
        while true {
            let result = pending ?? parser.parse(chunk, &offset)
            pending = nil
            switch result {
            case .needMore:
                precondition(offset == chunk.count, "needMore before the input was used up")
            case .head(let h):
                head = h
                // Exercise the router's path handling and query decoding on whatever came through.
                if let (node, values) = fuzzRoutes.match(h.rawPath ?? h.path) {
                    precondition(!node.entries.isEmpty)
                    for v in values { precondition(!v.isEmpty && !v.utf8.contains(UInt8(ascii: "/"))) }
                }
                pending = parser.startBody(head: h, limit: 4096)
                continue
            case .complete(let body):
                out.append(.request(head!.method.rawValue, head!.target, body))
                continue
            case .failure(let e):
                out.append(.error(e.status.code))
                return out
            }
            break
        }
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let whole = fuzzRun([input])
    var singles: [UnsafeRawBufferPointer] = []
    singles.reserveCapacity(size)
    for i in 0..<size { singles.append(UnsafeRawBufferPointer(rebasing: input[i..<(i + 1)])) }
    let bytewise = fuzzRun(singles)
    precondition(whole == bytewise, "byte-at-a-time parse differs from whole parse")
    if size > 2 {
        let cut = 1 + Int(input[0]) % (size - 1)
        let split = fuzzRun([UnsafeRawBufferPointer(rebasing: input[0..<cut]), UnsafeRawBufferPointer(rebasing: input[cut...])])
        precondition(whole == split, "split parse differs from whole parse")
    }
    return 0
}
