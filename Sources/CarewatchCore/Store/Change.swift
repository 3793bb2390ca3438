/// One durable modification. A write journals its changes as one record, so everything a
/// transaction does (a cascade, an import) becomes durable or not at all.
public enum Change: Sendable, Equatable {
    /// Insert or replace by code; the store sets `version` and `updatedAt`.
    case putCouncil(Council)
    /// Removes the council and, in the same record, its inspections and workforce rows.
    case deleteCouncil(code: String)
    /// Insert or replace by id; an empty id is replaced by a generated one.
    case putInspection(Inspection)
    case deleteInspection(id: String)
    /// Insert or replace by (council, year).
    case putWorkforce(WorkforceYear)
    case deleteWorkforce(council: String, year: Int)
    /// Insert or replace by (dataset, area, year): a published row of a DfE tidy file.
    case putFigures(FigureRow)
    case deleteFigures(FigureKey)
    /// Insert or replace by (model, la_code): one council's statistical neighbours.
    case putNeighbours(NeighbourList)
    case deleteNeighbours(model: String, laCode: Int)
}

extension Change {
    /// The journal form: `{"op":"put_council","value":{…}}` etc.
    func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        switch self {
        case .putCouncil(let council):
            writer.field("op", "put_council")
            writer.key("value")
            council.writeStorageJSON(into: &writer)
        case .deleteCouncil(let code):
            writer.field("op", "delete_council")
            writer.field("code", code)
        case .putInspection(let inspection):
            writer.field("op", "put_inspection")
            writer.key("value")
            inspection.writeStorageJSON(into: &writer)
        case .deleteInspection(let id):
            writer.field("op", "delete_inspection")
            writer.field("id", id)
        case .putWorkforce(let row):
            writer.field("op", "put_workforce")
            writer.key("value")
            row.writeStorageJSON(into: &writer)
        case .deleteWorkforce(let council, let year):
            writer.field("op", "delete_workforce")
            writer.field("council", council)
            writer.field("year", year)
        case .putFigures(let row):
            writer.field("op", "put_figures")
            writer.key("value")
            row.writeStorageJSON(into: &writer)
        case .deleteFigures(let key):
            writer.field("op", "delete_figures")
            writer.field("dataset", key.dataset)
            writer.field("area", key.area)
            writer.field("year", key.year)
        case .putNeighbours(let list):
            writer.field("op", "put_neighbours")
            writer.key("value")
            list.writeStorageJSON(into: &writer)
        case .deleteNeighbours(let model, let laCode):
            writer.field("op", "delete_neighbours")
            writer.field("model", model)
            writer.field("la_code", laCode)
        }
        writer.endObject()
    }

    init(journal json: JSONValue) throws(ValidationError) {
        guard let op = json["op"]?.stringValue else { throw ValidationError(field: "op", message: "missing") }
        switch op {
        case "put_council": self = .putCouncil(try Council(json: json["value"] ?? .null, storage: true))
        case "delete_council":
            guard let code = json["code"]?.stringValue else { throw ValidationError(field: "code", message: "missing") }
            self = .deleteCouncil(code: code)
        case "put_inspection": self = .putInspection(try Inspection(json: json["value"] ?? .null, storage: true))
        case "delete_inspection":
            guard let id = json["id"]?.stringValue else { throw ValidationError(field: "id", message: "missing") }
            self = .deleteInspection(id: id)
        case "put_workforce": self = .putWorkforce(try WorkforceYear(json: json["value"] ?? .null, storage: true))
        case "delete_workforce":
            guard let council = json["council"]?.stringValue, let year = json["year"]?.intValue else {
                throw ValidationError(field: "council", message: "missing")
            }
            self = .deleteWorkforce(council: council, year: year)
        case "put_figures": self = .putFigures(try FigureRow(json: json["value"] ?? .null, storage: true))
        case "delete_figures":
            guard let dataset = json["dataset"]?.stringValue, let area = json["area"]?.stringValue, let year = json["year"]?.intValue else {
                throw ValidationError(field: "dataset", message: "missing")
            }
            self = .deleteFigures(FigureKey(dataset: dataset, area: area, year: year))
        case "put_neighbours": self = .putNeighbours(try NeighbourList(json: json["value"] ?? .null, storage: true))
        case "delete_neighbours":
            guard let model = json["model"]?.stringValue, let laCode = json["la_code"]?.intValue else {
                throw ValidationError(field: "model", message: "missing")
            }
            self = .deleteNeighbours(model: model, laCode: laCode)
        default: throw ValidationError(field: "op", message: "unknown operation \(op)")
        }
    }
}
