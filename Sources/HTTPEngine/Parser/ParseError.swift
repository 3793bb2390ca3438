/// Why a request was refused: the status to answer with and a detail for the problem body.
/// Every parse error closes the connection, because framing can no longer be trusted.
struct ParseError: Error, Sendable, Equatable {
    var status: HTTPStatus
    var detail: String
    init(_ status: HTTPStatus, _ detail: String) { self.status = status; self.detail = detail }
}

struct ParserLimits: Sendable {
    var maxRequestLineBytes: Int
    var maxHeaderBytes: Int
    var maxHeaderCount: Int

    init(maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 16384, maxHeaderCount: Int = 100) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
    }

    init(_ c: ServerConfiguration) {
        self.init(maxRequestLineBytes: c.maxRequestLineBytes, maxHeaderBytes: c.maxHeaderBytes, maxHeaderCount: c.maxHeaderCount)
    }
}
