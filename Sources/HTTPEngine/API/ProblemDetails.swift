/// An RFC 9457 problem, the one way every error body is built: the engine's own refusals
/// (400, 408, 413, 414, 431, 503), the router's 404 and 405, and whatever an application adds.
/// Applications extend it with members of their own (RFC 9457 §3.2), such as a list of the
/// fields that were wrong, without writing a second encoder.
public struct ProblemDetails: Sendable {
    public var status: HTTPStatus
    /// A URI naming the kind of problem; `about:blank` says the status is the whole meaning.
    public var type: String = "about:blank"
    public var title: String
    public var detail: String?
    public var instance: String?
    /// Extension members in the order added, each value already encoded as JSON.
    public private(set) var extensionMembers: [(name: String, json: [UInt8])] = []
    /// Headers to send with it besides `Content-Type` (`Retry-After`, `WWW-Authenticate`, …).
    public var headers = HTTPHeaders()

    /// The title defaults to the status's reason phrase, as RFC 9457 §4.2.1 asks for `about:blank`.
    public init(_ status: HTTPStatus, detail: String? = nil) {
        self.status = status
        self.title = status.reasonPhrase
        self.detail = detail
    }

    /// Adds a member whose value is JSON the caller encoded (an array, an object, a number…).
    public mutating func addExtension(_ name: String, json: [UInt8]) {
        extensionMembers.append((name: name, json: json))
    }

    public mutating func addExtension(_ name: String, string: String) {
        var json: [UInt8] = []
        appendJSONString(string, to: &json)
        addExtension(name, json: json)
    }

    /// The JSON object: the standard members first, then the extensions.
    public var body: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(96 + title.utf8.count + (detail?.utf8.count ?? 0) + extensionMembers.reduce(0) { $0 + $1.json.count + 8 })
        out.append(contentsOf: #"{"type":"#.utf8)
        appendJSONString(type, to: &out)
        out.append(contentsOf: #","title":"#.utf8)
        appendJSONString(title, to: &out)
        out.append(contentsOf: #","status":"#.utf8)
        appendDecimal(status.code, to: &out)
        if let detail {
            out.append(contentsOf: #","detail":"#.utf8)
            appendJSONString(detail, to: &out)
        }
        if let instance {
            out.append(contentsOf: #","instance":"#.utf8)
            appendJSONString(instance, to: &out)
        }
        for member in extensionMembers {
            out.append(UInt8(ascii: ","))
            appendJSONString(member.name, to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: member.json)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `application/problem+json` with the status and headers.
    public var response: HTTPResponse {
        var all = HTTPHeaders(reservingCapacity: headers.count + 1)
        all.add("Content-Type", "application/problem+json")
        for field in headers { all.add(field.name, field.value) }
        return HTTPResponse(status: status, headers: all, body: .bytes(body))
    }
}
