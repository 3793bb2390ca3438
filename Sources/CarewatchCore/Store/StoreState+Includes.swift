/// What `include=` adds to a council's representation (`GET /v1/councils/{council}` and the
/// council list): a dashboard's tile in one response with one ETag.
public struct CouncilIncludes: Sendable, Equatable {
    public static let names = ["latest_inspection", "latest_workforce", "neighbours"]

    /// The latest graded inspection in full, judgements included, instead of its summary.
    public var latestInspection = false
    /// The council's newest workforce row (its own, or the joint return it made).
    public var latestWorkforce = false
    /// Its statistical neighbours in this model.
    public var neighbourModel: String?

    public init(latestInspection: Bool = false, latestWorkforce: Bool = false, neighbourModel: String? = nil) {
        self.latestInspection = latestInspection
        self.latestWorkforce = latestWorkforce
        self.neighbourModel = neighbourModel
    }

    public var isEmpty: Bool { !latestInspection && !latestWorkforce && neighbourModel == nil }
}

extension StoreState {
    /// The council's newest workforce figures: its own latest row, or a newer joint return's.
    public func latestWorkforce(ofCouncil code: String) -> (row: WorkforceYear, jointReturn: String?)? {
        let own = workforce(ofCouncil: code).last
        var joint: FigureRow?
        for year in (figureTable["workforce"] ?? [:]).keys.sorted(by: >) where year > (own?.year ?? Int.min) {
            if let row = jointReturn(containing: code, dataset: "workforce", year: year) {
                joint = row
                break
            }
        }
        if let joint {
            var row = WorkforceYear(council: code, year: joint.year, source: joint.source, suppressed: joint.suppressed)
            for field in WorkforceYear.figureFields {
                if let value = joint.values[field], let keyPath = ProjectCSVImport.workforceFigures.first(where: { $0.column == field })?.keyPath {
                    row[keyPath: keyPath] = value
                }
            }
            return (row, joint.area)
        }
        return own.map { ($0, nil) }
    }

    /// The council's representation with `includes` expanded in place: `latest_inspection`
    /// becomes the whole inspection, `latest_workforce` and `neighbours` are added.
    public func writeCouncil(_ council: Council, includes: CouncilIncludes, into writer: inout JSONWriter) {
        let latest = latestInspection(ofCouncil: council.code)
        guard !includes.isEmpty else { return council.writeJSON(into: &writer, latest: latest) }
        writer.beginObject()
        council.writeCommonFields(into: &writer)
        writer.key("latest_inspection")
        if let latest, includes.latestInspection {
            latest.writeJSON(into: &writer)
        } else {
            Council.writeLatestSummary(latest, into: &writer)
        }
        writer.field("updated_at", council.updatedAt.description)
        if includes.latestWorkforce {
            writer.key("latest_workforce")
            if let (row, joint) = latestWorkforce(ofCouncil: council.code) {
                writer.beginObject()
                row.writeFields(into: &writer)
                writer.key("joint_return")
                Comparison.writeJoint(joint, into: &writer, state: self)
                writer.endObject()
            } else {
                writer.null()
            }
        }
        if let model = includes.neighbourModel {
            writer.key("neighbours")
            Comparison.writeGroup(Comparison.neighbourGroup(self, council: council, model: model), into: &writer, state: self)
        }
        writer.endObject()
    }

    /// `GET /v1/councils/{council}/neighbours`.
    public func writeNeighbours(of council: Council, model: String, into writer: inout JSONWriter) {
        let group = Comparison.neighbourGroup(self, council: council, model: model)
        writer.beginObject()
        writer.key("council")
        council.writeReference(into: &writer)
        writer.field("model", model)
        let list = neighbourList(model: model, laCode: group.listOf?.laCode ?? council.laCode)
        writer.field("source", list?.source)
        Comparison.writeListOf(group, into: &writer, state: self)
        writer.key("neighbours")
        writer.beginArray()
        for member in group.members { Comparison.writeNeighbour(member, into: &writer, state: self) }
        writer.endArray()
        writer.endObject()
    }
}
