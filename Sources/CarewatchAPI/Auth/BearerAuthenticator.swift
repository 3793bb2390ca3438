import HTTPEngine

/// Checks `Authorization: Bearer KEY` on writes against the configured keys. Every key is
/// compared in full whatever matched before, so the time taken does not reveal how much of
/// a guess was right, nor which key it resembled. Keys are never logged or echoed.
struct BearerAuthenticator: Sendable {
    private let keys: [[UInt8]]

    init(keys: [String]) {
        self.keys = keys.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    func authorize(_ request: HTTPRequest) throws(APIError) {
        guard let header = request.headers["Authorization"] else {
            throw APIError(.unauthorized, "writes need an API key: send Authorization: Bearer <key>",
                           headers: [("WWW-Authenticate", "Bearer realm=\"carewatch\"")])
        }
        let bytes = Array(header.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count,
              zip(bytes.prefix(scheme.count), scheme).allSatisfy({ ($0 | 0x20) == $1 }) else {
            throw APIError(.unauthorized, "the Authorization header must use the Bearer scheme",
                           headers: [("WWW-Authenticate", "Bearer realm=\"carewatch\"")])
        }
        var token = bytes[scheme.count...]
        while token.first == UInt8(ascii: " ") { token = token.dropFirst() }
        var matched: UInt8 = 0
        for key in keys { matched |= BearerAuthenticator.constantTimeEqual(token, key) }
        guard matched == 1 else {
            throw APIError(.unauthorized, "the API key is not valid",
                           headers: [("WWW-Authenticate", "Bearer realm=\"carewatch\", error=\"invalid_token\"")])
        }
    }

    /// 1 when equal, 0 otherwise, touching every byte of the longer input.
    static func constantTimeEqual(_ lhs: ArraySlice<UInt8>, _ rhs: [UInt8]) -> UInt8 {
        let length = max(lhs.count, rhs.count)
        var difference = UInt(lhs.count ^ rhs.count)
        for offset in 0..<length {
            let left = offset < lhs.count ? lhs[lhs.startIndex + offset] : 0
            let right = offset < rhs.count ? rhs[offset] : 0
            difference |= UInt(left ^ right)
        }
        return difference == 0 ? 1 : 0
    }
}
