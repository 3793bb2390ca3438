import CarewatchCore
import HTTPEngine

/// Turns a write's body into a JSON object, answering 415 for bodies that are not JSON and
/// 400 for JSON that does not parse, before any rule of the domain is looked at.
enum RequestBody {
    enum Kind {
        case json
        /// PATCH takes RFC 7396 merge patches; plain JSON is accepted too, as most clients send it.
        case mergePatch
    }

    static func object(_ request: HTTPRequest, kind: Kind = .json) throws(APIError) -> JSONObject {
        let mediaType = Self.mediaType(request)
        let accepted = kind == .mergePatch ? ["application/merge-patch+json", "application/json"] : ["application/json"]
        guard let mediaType, accepted.contains(mediaType) else {
            throw APIError(.unsupportedMediaType, "the body must be \(accepted.joined(separator: " or ")), not \(mediaType ?? "untyped")")
        }
        guard !request.body.isEmpty else { throw APIError(.badRequest, "the request needs a JSON body") }
        let value: JSONValue
        do {
            value = try JSONParser.parse(request.body)
        } catch {
            throw APIError(.badRequest, "the body is not valid JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw APIError(.badRequest, "the body must be a JSON object, not \(value.typeName)")
        }
        return object
    }

    /// The media type without parameters, lowercased (`application/json; charset=utf-8` → `application/json`).
    /// Byte by byte: it runs on every write, and Foundation's trimming and lowercasing cost
    /// more than the rest of the body check.
    static func mediaType(_ request: HTTPRequest) -> String? {
        guard var header = request.headers["Content-Type"] else { return nil }
        return header.withUTF8 { bytes -> String? in
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            var start = 0
            func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            while start < end, isBlank(bytes[start]) { start += 1 }
            while end > start, isBlank(bytes[end - 1]) { end -= 1 }
            guard start < end else { return nil }
            let lowered = bytes[start..<end].map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
            return String(decoding: lowered, as: UTF8.self)
        }
    }
}

/// RFC 7396 JSON merge patch: members set to null are removed, objects merge recursively,
/// anything else replaces the target's value.
enum MergePatch {
    static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for (key, value) in patchObject {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }
}
