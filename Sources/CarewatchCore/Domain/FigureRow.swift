/// One area's figures of one dataset for one year, as published: a row of a DfE tidy file
/// (children in need, children looked after, ONS population, and the England, regional and
/// joint-return rows of the workforce release). Councils' own workforce rows are
/// `WorkforceYear`; everything else DfE publishes per area and year is a `FigureRow`.
///
/// Identity: (`dataset`, `area`, `year`). `area` is a council's current GSS code, England's
/// (`E92000001`), a region's (`E12…`, or DfE's Inner and Outer London `E13…`), or a joint
/// return's two codes as DfE writes them (`E09000021 / E09000027`).
public struct FigureRow: Sendable, VersionedRecord {
    public var dataset: String
    public var area: String
    public var level: GeographicLevel
    /// The area's name as the file gives it (`England`, `West Midlands`,
    /// `Kingston upon Thames / Richmond upon Thames`).
    public var name: String?
    public var year: Int
    /// Measure id → value, for the figures published as numbers.
    public var values: [String: Double]
    /// Measure id → DfE's symbol, for the figures DfE withheld (never also in `values`).
    public var suppressed: [String: String]
    public var source: String?
    /// Set by the store on every write.
    public var version: UInt64

    public init(dataset: String, area: String, level: GeographicLevel, name: String? = nil, year: Int,
                values: [String: Double] = [:], suppressed: [String: String] = [:], source: String? = nil, version: UInt64 = 0) {
        self.dataset = dataset
        self.area = area
        self.level = level
        self.name = name
        self.year = year
        self.values = values
        self.suppressed = suppressed
        self.source = source
        self.version = version
    }

    /// The councils of a joint return, or the one council of a council row.
    public var members: [String] { AreaCode.members(of: area) }
    public var isJointReturn: Bool { AreaCode.isJoint(area) }

    public var key: FigureKey { FigureKey(dataset: dataset, area: area, year: year) }

    /// One measure's cell.
    public func cell(_ measure: String) -> FigureCell {
        if let value = values[measure] { return .number(value) }
        if let symbol = suppressed[measure] { return .symbol(symbol) }
        return .empty
    }
}

public struct FigureKey: Hashable, Sendable {
    public var dataset: String
    public var area: String
    public var year: Int

    public init(dataset: String, area: String, year: Int) {
        self.dataset = dataset
        self.area = area
        self.year = year
    }
}

extension FigureRow {
    static let inputFields: Set<String> = ["dataset", "area", "level", "name", "year", "values", "suppressed", "source"]
    static let storageFields: Set<String> = inputFields.union(["version"])

    public init(json: JSONValue) throws(ValidationError) {
        try self.init(json: json, storage: false)
    }

    init(json: JSONValue, storage: Bool) throws(ValidationError) {
        var reader = FieldReader(json, known: storage ? FigureRow.storageFields : FigureRow.inputFields)
        let dataset = reader.string("dataset", required: true)
        let area = reader.string("area", required: true)
        let level = reader.enumeration("level", GeographicLevel.self, required: true)
        let year = reader.int("year", required: true)
        var row = FigureRow(dataset: dataset ?? "", area: area ?? "", level: level ?? .localAuthority, name: reader.string("name"), year: year ?? 0)
        row.source = reader.string("source")
        row.suppressed = reader.stringMap("suppressed") ?? [:]
        if let value = reader.present("values", required: false) {
            if case .object(let members) = value {
                for (measure, item) in members {
                    guard case .number(let number) = item else {
                        reader.fail("values.\(measure)", "must be a number, not \(item.typeName) (a withheld figure goes in suppressed)")
                        continue
                    }
                    row.values[measure] = number
                }
            } else {
                reader.fail("values", "must be an object of numbers, not \(value.typeName)")
            }
        }
        if storage { row.version = reader.uint64("version") ?? 0 }
        guard dataset != nil, area != nil, level != nil, year != nil else { throw ValidationError(reader.errors) }
        let errors = reader.errors + (storage ? [] : row.validate())
        if !errors.isEmpty { throw ValidationError(errors) }
        self = row
    }

    /// Every broken rule of the row on its own; that a council area exists is the store's check.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        guard let dataset = MeasureCatalog.dataset(self.dataset) else {
            return [FieldError(field: "dataset", message: "must be one of \(MeasureCatalog.datasets.map(\.id).joined(separator: ", "))")]
        }
        switch level {
        case .national where area != AreaCode.england:
            errors.append(FieldError(field: "area", message: "a national row is England's, \(AreaCode.england)"))
        case .regional where !AreaCode.isRegional(area):
            errors.append(FieldError(field: "area", message: "a regional row needs a region's code (E12000001 to E12000009, or E13000001/E13000002 for Inner and Outer London)"))
        case .localAuthority:
            let members = self.members
            if !members.allSatisfy(Council.isGSSCode) || Set(members).count != members.count {
                errors.append(FieldError(field: "area", message: "must be a council's GSS code, or the distinct codes of a joint return separated by ' / '"))
            }
        default:
            break
        }
        if !WorkforceYear.plausibleYears.contains(year) {
            errors.append(FieldError(field: "year", message: "must be between \(WorkforceYear.plausibleYears.lowerBound) and \(WorkforceYear.plausibleYears.upperBound)"))
        }
        errors += TextRules.errors("name", name, limit: 200) + TextRules.errors("source", source, limit: WorkforceYear.sourceLimit)
        if values.isEmpty && suppressed.isEmpty {
            errors.append(FieldError(field: "values", message: "a row must carry at least one figure, or DfE's symbol for one in suppressed"))
        }
        let stored = MeasureCatalog.storedMeasureIDs(in: dataset.id)
        for (measure, value) in values {
            guard stored.contains(measure) else {
                errors.append(FieldError(field: "values.\(measure)", message: "is not a measure of \(dataset.id) (\(stored.joined(separator: ", ")))"))
                continue
            }
            if !value.isFinite || value < 0 {
                errors.append(FieldError(field: "values.\(measure)", message: "must be a finite number, not negative"))
            } else if value > 100, MeasureCatalog.measure(measure)?.unit == .percent {
                errors.append(FieldError(field: "values.\(measure)", message: "must be between 0 and 100"))
            }
        }
        for (measure, symbol) in suppressed {
            if !stored.contains(measure) {
                errors.append(FieldError(field: "suppressed.\(measure)", message: "is not a measure of \(dataset.id) (\(stored.joined(separator: ", ")))"))
            } else if !SuppressionSymbol.isKnown(symbol) {
                errors.append(FieldError(field: "suppressed.\(measure)", message: "must be one of DfE's symbols (\(SuppressionSymbol.list)), not '\(symbol)'"))
            } else if values[measure] != nil {
                errors.append(FieldError(field: "values.\(measure)", message: "is given as a number and as suppressed ('\(symbol)'); give one or the other"))
            }
        }
        // Stable order for the client, whatever order the maps hold them in.
        return errors.sorted { $0.field < $1.field }
    }

    public func writeFields(into writer: inout JSONWriter) {
        writer.field("dataset", dataset)
        writer.field("area", area)
        writer.field("level", level.rawValue)
        writer.field("name", name)
        writer.field("year", year)
        // Catalogue order, so equal rows encode to equal bytes. Validation keeps every key in
        // the catalogue; a storage record read back unchecked is written the same way.
        let order = MeasureCatalog.storedMeasureIDs(in: dataset)
        writer.key("values")
        writer.beginObject()
        for measure in order { if let value = values[measure] { writer.field(measure, value) } }
        writer.endObject()
        writer.key("suppressed")
        writer.beginObject()
        for measure in order { if let symbol = suppressed[measure] { writer.field(measure, symbol) } }
        writer.endObject()
        writer.field("source", source)
    }
}
