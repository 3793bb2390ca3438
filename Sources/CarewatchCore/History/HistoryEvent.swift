/// Which record a change touched, by the identity the store keeps it under.
public enum RecordKey: Hashable, Sendable {
    case council(String)
    case inspection(id: String, council: String)
    case workforce(council: String, year: Int)
    case figures(FigureKey)
    case neighbours(model: String, laCode: Int)

    public enum Kind: String, Sendable, CaseIterable {
        case council, inspection, workforce, figures, neighbours
    }

    public var kind: Kind {
        switch self {
        case .council: return .council
        case .inspection: return .inspection
        case .workforce: return .workforce
        case .figures: return .figures
        case .neighbours: return .neighbours
        }
    }

    /// The councils the record belongs to: one, both members of a joint return, or none
    /// (England's and regions' rows; neighbour lists, which name councils by DfE number).
    public var councils: [String] {
        switch self {
        case .council(let code): return [code]
        case .inspection(_, let council), .workforce(let council, _): return [council]
        case .figures(let key): return Council.isGSSCode(key.area) || AreaCode.isJoint(key.area) ? AreaCode.members(of: key.area) : []
        case .neighbours: return []
        }
    }

    /// Whether a field of this record is a published figure (what a revision is about), as
    /// opposed to its name, source or other description.
    public func isFigure(_ field: String) -> Bool {
        switch self {
        case .workforce, .figures: return field != "source" && field != "name"
        case .council, .inspection, .neighbours: return false
        }
    }

    /// Where the API serves the record.
    public var href: String {
        switch self {
        case .council(let code): return "/v1/councils/\(code)"
        case .inspection(let id, _): return "/v1/inspections/\(id)"
        case .workforce(let council, let year): return "/v1/councils/\(council)/workforce/\(year)"
        case .figures(let key): return "/v1/figures?dataset=\(key.dataset)&area=\(AreaCode.members(of: key.area)[0])&year=\(key.year)"
        case .neighbours(let model, let laCode): return "/v1/councils/\(laCode)/neighbours?model=\(model)"
        }
    }

    /// `{"kind":"workforce","council":"E08000028","year":2024}`: the fields that name it.
    public func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("kind", kind.rawValue)
        switch self {
        case .council(let code):
            writer.field("code", code)
        case .inspection(let id, let council):
            writer.field("id", id)
            writer.field("council", council)
        case .workforce(let council, let year):
            writer.field("council", council)
            writer.field("year", year)
        case .figures(let key):
            writer.field("dataset", key.dataset)
            writer.field("area", key.area)
            writer.field("year", key.year)
        case .neighbours(let model, let laCode):
            writer.field("model", model)
            writer.field("la_code", laCode)
        }
        writer.endObject()
    }

    init(json: JSONValue) throws(ValidationError) {
        func string(_ name: String) throws(ValidationError) -> String {
            guard let value = json[name]?.stringValue else { throw ValidationError(field: "key.\(name)", message: "missing") }
            return value
        }
        func int(_ name: String) throws(ValidationError) -> Int {
            guard let value = json[name]?.intValue else { throw ValidationError(field: "key.\(name)", message: "missing") }
            return value
        }
        switch json["kind"]?.stringValue.flatMap(Kind.init(rawValue:)) {
        case .council?: self = .council(try string("code"))
        case .inspection?: self = .inspection(id: try string("id"), council: try string("council"))
        case .workforce?: self = .workforce(council: try string("council"), year: try int("year"))
        case .figures?: self = .figures(FigureKey(dataset: try string("dataset"), area: try string("area"), year: try int("year")))
        case .neighbours?: self = .neighbours(model: try string("model"), laCode: try int("la_code"))
        case nil: throw ValidationError(field: "key.kind", message: "missing or unknown")
        }
    }
}

/// One field of one record, before and after. A figure's value is its number, DfE's symbol
/// as a string when withheld (`"u"`), or null when absent; other fields are their JSON.
public struct FieldChange: Sendable, Equatable {
    public var field: String
    public var old: JSONValue
    public var new: JSONValue

    public init(field: String, old: JSONValue, new: JSONValue) {
        self.field = field
        self.old = old
        self.new = new
    }
}

/// The write a history entry belongs to: one per journal record, shared by its entries.
public final class HistoryCommit: Sendable {
    /// The journal sequence: the store's generation and every written record's version.
    public let version: UInt64
    public let at: Timestamp
    /// Nil for a journal record written before carewatch recorded origins.
    public let origin: Origin?

    public init(version: UInt64, at: Timestamp, origin: Origin?) {
        self.version = version
        self.at = at
        self.origin = origin
    }
}

/// One record changed by one write: the unit of the change feed and of history. Its
/// `sequence` (the change sequence) only grows, across restarts, snapshots and restores.
public struct HistoryEvent: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        case created, updated, deleted
    }

    public let sequence: UInt64
    public let commit: HistoryCommit
    public let key: RecordKey
    public let action: Action
    /// Updated: the fields that changed. Deleted: the record's last values (new all null).
    /// Created: empty (the record's history fills in its first values).
    public let fields: [FieldChange]

    public init(sequence: UInt64, commit: HistoryCommit, key: RecordKey, action: Action, fields: [FieldChange]) {
        self.sequence = sequence
        self.commit = commit
        self.key = key
        self.action = action
        self.fields = fields
    }

    /// The change feed's form: `{"seq":…,"version":…,"at":…,"record":{…},"href":…,"action":…,"fields":[…],"made_by":{…}}`.
    public func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("seq")
        writer.value(sequence)
        writer.key("version")
        writer.value(commit.version)
        writer.field("at", commit.at.description)
        writer.key("record")
        key.writeJSON(into: &writer)
        writer.field("href", action == .deleted ? nil : key.href)
        writer.field("action", action.rawValue)
        writer.key("fields")
        FieldChange.write(fields, into: &writer)
        writer.key("made_by")
        if let origin = commit.origin { origin.writeJSON(into: &writer) } else { writer.null() }
        writer.endObject()
    }

    /// The snapshot's form, inside its commit's group (which holds version, time and origin).
    func writeStorageJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("key")
        key.writeJSON(into: &writer)
        writer.field("action", action.rawValue)
        if !fields.isEmpty {
            writer.key("fields")
            FieldChange.write(fields, into: &writer)
        }
        writer.endObject()
    }

    init(storage json: JSONValue, sequence: UInt64, commit: HistoryCommit) throws(ValidationError) {
        guard let key = json["key"], let action = json["action"]?.stringValue.flatMap(Action.init(rawValue:)) else {
            throw ValidationError(field: "history", message: "an entry lacks key or action")
        }
        var fields: [FieldChange] = []
        for item in json["fields"]?.arrayValue ?? [] {
            guard let field = item["field"]?.stringValue else { throw ValidationError(field: "history", message: "a field change lacks its field") }
            fields.append(FieldChange(field: field, old: item["old"] ?? .null, new: item["new"] ?? .null))
        }
        self.init(sequence: sequence, commit: commit, key: try RecordKey(json: key), action: action, fields: fields)
    }
}

extension FieldChange {
    /// `[{"field": …, "old": …, "new": …}, …]`, as history, the feed and storage show them.
    public static func write(_ changes: [FieldChange], into writer: inout JSONWriter) {
        writer.beginArray()
        for change in changes {
            writer.beginObject()
            writer.field("field", change.field)
            writer.key("old")
            writer.value(change.old)
            writer.key("new")
            writer.value(change.new)
            writer.endObject()
        }
        writer.endArray()
    }
}

extension RecordKey {
    /// The record as a cursor of its history names it: a history's cursor pages that record's
    /// versions only.
    var cursorScope: String {
        switch self {
        case .council(let code): return "council \(code)"
        case .inspection(let id, _): return "inspection \(id)"
        case .workforce(let council, let year): return "workforce \(council) \(year)"
        case .figures(let key): return "figures \(key.dataset) \(key.area) \(key.year)"
        case .neighbours(let model, let laCode): return "neighbours \(model) \(laCode)"
        }
    }
}
