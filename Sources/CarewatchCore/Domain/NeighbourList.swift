/// One council's statistical neighbours in one of DfE's children's services models: its
/// nearest councils in rank order, each with DfE's closeness band. Kept as published, by
/// DfE's 3-digit numbers, so a model that names an authority since abolished (the 2021
/// model's Cumbria, Northamptonshire, pre-2019 Dorset, Poole and Bournemouth) keeps it:
/// readers resolve each number to a current council or to a `FormerAuthority`.
///
/// Identity: (`model`, `laCode`).
public struct NeighbourList: Sendable, VersionedRecord {
    public struct Entry: Sendable, Equatable {
        public var laCode: Int
        /// DfE's band: `Extremely close`, `Very close`, `Close`, `Somewhat close`, `Not close`.
        public var closeness: String?

        public init(laCode: Int, closeness: String?) {
            self.laCode = laCode
            self.closeness = closeness
        }
    }

    /// The model's year, as DfE names it (`2025`, `2021`).
    public var model: String
    /// The council whose neighbours these are, by DfE number.
    public var laCode: Int
    /// Its name as the file gives it (`Dorset (Pre LG)`).
    public var name: String?
    /// Rank order: the first is the closest.
    public var neighbours: [Entry]
    public var source: String?
    public var version: UInt64

    public init(model: String, laCode: Int, name: String? = nil, neighbours: [Entry], source: String? = nil, version: UInt64 = 0) {
        self.model = model
        self.laCode = laCode
        self.name = name
        self.neighbours = neighbours
        self.source = source
        self.version = version
    }

    /// DfE spells its bands two ways across models (`Very Close`, `Very close `); carewatch
    /// serves one spelling, the 2025 model's.
    public static func normaliseCloseness(_ text: String) -> String? {
        let trimmed = CSVHeader.normalise(text)
        guard !trimmed.isEmpty else { return nil }
        return trimmed.prefix(1).uppercased() + trimmed.dropFirst().lowercased()
    }

    /// A model id: its year, or any short lowercase name.
    public static func isModelID(_ text: String) -> Bool {
        let utf8 = text.utf8
        return (1...20).contains(utf8.count) && utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 &- 48 < 10 || $0 == UInt8(ascii: "-") }
    }
}

extension NeighbourList {
    static let inputFields: Set<String> = ["model", "la_code", "name", "neighbours", "source"]
    static let storageFields: Set<String> = inputFields.union(["version"])

    public init(json: JSONValue) throws(ValidationError) {
        try self.init(json: json, storage: false)
    }

    init(json: JSONValue, storage: Bool) throws(ValidationError) {
        var reader = FieldReader(json, known: storage ? NeighbourList.storageFields : NeighbourList.inputFields)
        let model = reader.string("model", required: true)
        let laCode = reader.int("la_code", required: true)
        var list = NeighbourList(model: model ?? "", laCode: laCode ?? 0, name: reader.string("name"), neighbours: [], source: reader.string("source"))
        if let value = reader.present("neighbours", required: true) {
            if case .array(let items) = value {
                for (index, item) in items.enumerated() {
                    var entry = FieldReader(item, known: ["la_code", "closeness", "rank"], prefix: "neighbours[\(index)].")
                    let code = entry.int("la_code", required: true)
                    let closeness = entry.string("closeness")
                    if let rank = entry.int("rank"), rank != index + 1 {
                        entry.fail("rank", "must be \(index + 1): neighbours are listed in rank order")
                    }
                    reader.errors += entry.errors
                    if let code { list.neighbours.append(Entry(laCode: code, closeness: closeness)) }
                }
            } else {
                reader.fail("neighbours", "must be an array, not \(value.typeName)")
            }
        }
        if storage { list.version = reader.uint64("version") ?? 0 }
        guard model != nil, laCode != nil else { throw ValidationError(reader.errors) }
        let errors = reader.errors + (storage ? [] : list.validate())
        if !errors.isEmpty { throw ValidationError(errors) }
        self = list
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !NeighbourList.isModelID(model) {
            errors.append(FieldError(field: "model", message: "must be 1 to 20 lowercase letters, digits or hyphens (a model's year, e.g. 2025)"))
        }
        if !(100...999).contains(laCode) {
            errors.append(FieldError(field: "la_code", message: "must be a 3-digit DfE code from 100 to 999"))
        }
        errors += TextRules.errors("name", name, limit: 200) + TextRules.errors("source", source, limit: WorkforceYear.sourceLimit)
        if !(1...50).contains(neighbours.count) {
            errors.append(FieldError(field: "neighbours", message: "must list 1 to 50 neighbours"))
        }
        var seen: Set<Int> = [laCode]
        for (index, entry) in neighbours.enumerated() {
            if !(100...999).contains(entry.laCode) {
                errors.append(FieldError(field: "neighbours[\(index)].la_code", message: "must be a 3-digit DfE code from 100 to 999"))
            } else if !seen.insert(entry.laCode).inserted {
                errors.append(FieldError(field: "neighbours[\(index)].la_code", message: entry.laCode == laCode ? "is the council itself" : "repeats an earlier neighbour"))
            }
            if let closeness = entry.closeness, closeness.isEmpty || closeness.count > 40 {
                errors.append(FieldError(field: "neighbours[\(index)].closeness", message: "must be 1 to 40 characters"))
            }
        }
        return errors
    }

    public func writeFields(into writer: inout JSONWriter) {
        writer.field("model", model)
        writer.field("la_code", laCode)
        writer.field("name", name)
        writer.key("neighbours")
        writer.beginArray()
        for (index, entry) in neighbours.enumerated() {
            writer.beginObject()
            writer.field("rank", index + 1)
            writer.field("la_code", entry.laCode)
            writer.field("closeness", entry.closeness)
            writer.endObject()
        }
        writer.endArray()
        writer.field("source", source)
    }
}
