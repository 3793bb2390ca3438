/// Finds the current council behind any name a published file uses for it: its GSS code, a
/// former GSS code (Barnsley's E08000016), DfE's 3-digit number, its slug, or its name as
/// Ofsted spells it. Built from the store's councils plus those in the document being imported,
/// so a document can bring councils and their records together.
public struct CouncilDirectory: Sendable {
    public private(set) var councils: [String: Council] = [:]
    private var byCode: [String: String] = [:]
    private var byLACode: [Int: String] = [:]
    private var bySlug: [String: String] = [:]
    private var byName: [String: String] = [:]

    public init(_ councils: some Sequence<Council> = [Council]()) {
        for council in councils { add(council) }
    }

    /// Adds or replaces a council. Later additions win, so a document's councils override the store's.
    public mutating func add(_ council: Council) {
        if let old = councils[council.code] { remove(old) }
        councils[council.code] = council
        byCode[council.code] = council.code
        for former in council.formerCodes where byCode[former] == nil || byCode[former] == former {
            byCode[former] = council.code
        }
        byLACode[council.laCode] = council.code
        bySlug[council.slug] = council.code
        byName[CouncilDirectory.normaliseName(council.name)] = council.code
    }

    private mutating func remove(_ council: Council) {
        for (key, code) in byCode where code == council.code { byCode[key] = nil }
        if byLACode[council.laCode] == council.code { byLACode[council.laCode] = nil }
        if bySlug[council.slug] == council.code { bySlug[council.slug] = nil }
        let name = CouncilDirectory.normaliseName(council.name)
        if byName[name] == council.code { byName[name] = nil }
    }

    public func council(code: String) -> Council? { byCode[code].flatMap { councils[$0] } }

    public func council(laCode: Int) -> Council? { byLACode[laCode].flatMap { councils[$0] } }

    public func council(slug: String) -> Council? { bySlug[slug].flatMap { councils[$0] } }

    public func council(name: String) -> Council? { byName[CouncilDirectory.normaliseName(name)].flatMap { councils[$0] } }

    /// Any key the contract allows in `{council}`: code, former code, la_code or slug.
    public func council(key: String) -> Council? {
        if let found = council(code: key) { return found }
        if key.utf8.count == 3, let number = Int(key), let found = council(laCode: number) { return found }
        return council(slug: key)
    }

    /// The council that holds `slug`, if any.
    func slugOwner(_ slug: String) -> String? { bySlug[slug] }

    /// Ofsted and ONS spell some authorities differently. This key ignores case, full stops,
    /// hyphens and repeated spaces, reads `&` as `and`, and drops ", City of" / ", County of";
    /// the remaining differences are listed in `aliases`.
    public static func normaliseName(_ name: String) -> String {
        var text = name.lowercased()
        text = text.replacingAll("&", with: " and ")
        for suffix in [", city of", ", county of"] where text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
        }
        var words: [Substring] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "." || $0 == "," || $0.isWhitespace }) {
            words.append(word)
        }
        let key = words.joined(separator: " ")
        return aliases[key] ?? key
    }

    /// Ofsted spellings that the rules above do not reach, mapped to the ONS name's key.
    static let aliases: [String: String] = [
        "durham": "county durham",
        "bedford borough": "bedford",
    ]
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
