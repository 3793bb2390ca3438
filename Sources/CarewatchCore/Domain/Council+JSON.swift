extension Council {
    static let inputFields: Set<String> = ["code", "la_code", "slug", "name", "region", "kind", "former_codes", "latest_inspection", "updated_at"]
    static let storageFields: Set<String> = inputFields.union(["version"])
    static let nameLimit = 200

    /// Decodes a client document. `latest_inspection` and `updated_at` are derived by the
    /// server, so they are accepted (a GET body can be sent back) but ignored. A missing
    /// `slug` is derived from the name. Throws every decoding and validation problem.
    public init(json: JSONValue) throws(ValidationError) {
        try self.init(json: json, storage: false)
    }

    init(json: JSONValue, storage: Bool) throws(ValidationError) {
        var reader = FieldReader(json, known: storage ? Council.storageFields : Council.inputFields)
        let code = reader.string("code", required: true)
        let laCode = reader.int("la_code", required: true)
        let name = reader.string("name", required: true)
        let slug = reader.string("slug")
        let region = reader.enumeration("region", Region.self, required: true)
        let kind = reader.enumeration("kind", CouncilKind.self, required: true)
        let formerCodes = reader.stringArray("former_codes") ?? []
        var updatedAt = Timestamp(secondsSince1970: 0)
        var version: UInt64 = 0
        if storage {
            updatedAt = reader.timestamp("updated_at") ?? updatedAt
            version = reader.uint64("version") ?? 0
        } else if let latest = reader.object["latest_inspection"], !latest.isNull, latest.objectValue == nil {
            reader.fail("latest_inspection", "must be an object or null, not \(latest.typeName)")
        }
        guard let code, let laCode, let name, let region, let kind else { throw ValidationError(reader.errors) }
        self.init(code: code, laCode: laCode, slug: slug ?? Slug.derive(from: name), name: name, region: region,
                  kind: kind, formerCodes: formerCodes, updatedAt: updatedAt, version: version)
        var errors = reader.errors + (storage ? [] : validate())
        if !storage, slug == nil, self.slug.isEmpty {
            errors.removeAll { $0.field == "slug" }
            errors.append(FieldError(field: "slug", message: "must be given: the name has no letter or digit to derive one from"))
        }
        if !errors.isEmpty { throw ValidationError(errors) }
    }

    /// Every broken rule of the record on its own (uniqueness across councils is checked by
    /// the store, which sees the others).
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !Council.isGSSCode(code) {
            errors.append(FieldError(field: "code", message: "must be a GSS code: E followed by 8 digits"))
        } else if !kind.allowedPrefixes.contains(String(code.prefix(3))) {
            errors.append(FieldError(field: "kind", message: "\(kind.rawValue) does not match the code prefix \(code.prefix(3)) (E10 county, E08 metropolitan_district, E09 london_borough or city_of_london, E06 unitary or isles_of_scilly)"))
        }
        if !(100...999).contains(laCode) {
            errors.append(FieldError(field: "la_code", message: "must be a 3-digit DfE code from 100 to 999"))
        }
        if !Slug.isValid(slug) {
            errors.append(FieldError(field: "slug", message: "must be 1 to 100 lowercase letters a-z, digits and single hyphens, starting and ending with a letter or digit"))
        }
        errors += TextRules.errors("name", name, limit: Council.nameLimit)
        var seen: Set<String> = [code]
        for (index, former) in formerCodes.enumerated() {
            if !Council.isGSSCode(former) {
                errors.append(FieldError(field: "former_codes[\(index)]", message: "must be a GSS code: E followed by 8 digits"))
            } else if !seen.insert(former).inserted {
                errors.append(FieldError(field: "former_codes[\(index)]", message: "repeats \(former == code ? "the current code" : "another former code")"))
            }
        }
        return errors
    }

    public static func isGSSCode(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == 9, utf8.first == UInt8(ascii: "E") else { return false }
        return utf8.dropFirst().allSatisfy { $0 &- 48 < 10 }
    }

    /// The contract shape, with the derived `latest_inspection` and `updated_at`.
    public func writeJSON(into writer: inout JSONWriter, latest: Inspection?) {
        writer.beginObject()
        writeCommonFields(into: &writer)
        writer.key("latest_inspection")
        Council.writeLatestSummary(latest, into: &writer)
        writer.field("updated_at", updatedAt.description)
        writer.endObject()
    }

    /// `latest_inspection` as a council carries it: id, framework, published, overall; or null.
    static func writeLatestSummary(_ latest: Inspection?, into writer: inout JSONWriter) {
        guard let latest else { return writer.null() }
        writer.beginObject()
        writer.field("id", latest.id)
        writer.field("framework", latest.framework.rawValue)
        writer.field("published", latest.published?.description)
        writer.field("overall", latest.overall?.rawValue)
        writer.endObject()
    }

    /// The council as other answers refer to it: code, la_code, slug, name (and region).
    func writeReference(into writer: inout JSONWriter, region: Bool = false) {
        writer.beginObject()
        writer.field("code", code)
        writer.field("la_code", laCode)
        writer.field("slug", slug)
        writer.field("name", name)
        if region { writer.field("region", self.region.rawValue) }
        writer.endObject()
    }

    /// The snapshot/journal shape: what a client may set plus the store's own bookkeeping.
    func writeStorageJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writeCommonFields(into: &writer)
        writer.field("updated_at", updatedAt.description)
        writer.key("version")
        writer.value(version)
        writer.endObject()
    }

    func writeCommonFields(into writer: inout JSONWriter) {
        writer.field("code", code)
        writer.field("la_code", laCode)
        writer.field("slug", slug)
        writer.field("name", name)
        writer.field("region", region.rawValue)
        writer.field("kind", kind.rawValue)
        writer.key("former_codes")
        writer.beginArray()
        for former in formerCodes { writer.value(former) }
        writer.endArray()
    }
}

extension CouncilKind {
    /// GSS prefixes a council of this kind may have.
    public var allowedPrefixes: Set<String> {
        switch self {
        case .county: return ["E10"]
        case .metropolitanDistrict: return ["E08"]
        case .londonBorough, .cityOfLondon: return ["E09"]
        case .unitary, .islesOfScilly: return ["E06"]
        }
    }
}
