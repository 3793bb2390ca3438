import CarewatchCore
import HTTPEngine

/// Checks `Authorization: Bearer KEY` on writes against the configured keys. Every key is
/// compared in full whatever matched before, so the time taken does not reveal how much of
/// a guess was right, nor which key it resembled. Keys are never logged or echoed; history
/// names the key that made a write by its identifier (`identifier(of:)`).
struct BearerAuthenticator: Sendable {
    private let keys: [[UInt8]]
    /// Each key's identifier, worked out once at start-up.
    private let identifiers: [String]

    init(keys: [String]) {
        self.keys = keys.filter { !$0.isEmpty }.map { Array($0.utf8) }
        identifiers = self.keys.map(BearerAuthenticator.identifier(of:))
    }

    /// A key's identifier: the first 12 hex digits of its SHA-256, what
    /// `printf %s KEY | sha256sum | cut -c1-12` prints. It tells keys apart in history
    /// without revealing one: 48 bits of a one-way hash cannot be turned back into a key
    /// (though, like any hash, it confirms a guessed weak key: keys should be long and random).
    static func identifier(of key: [UInt8]) -> String { String(SHA256.hex(key).prefix(12)) }

    /// Returns the identifier of the key the request carries, or throws 401.
    @discardableResult
    func authorize(_ request: HTTPRequest) throws(APIError) -> String {
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
        var index = 0
        for (position, key) in keys.enumerated() {
            let equal = BearerAuthenticator.constantTimeEqual(token, key)
            matched |= equal
            // Branch-free: remembers the matching position without a data-dependent jump.
            index |= position & -Int(equal)
        }
        guard matched == 1 else {
            throw APIError(.unauthorized, "the API key is not valid",
                           headers: [("WWW-Authenticate", "Bearer realm=\"carewatch\", error=\"invalid_token\"")])
        }
        return identifiers[index]
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
