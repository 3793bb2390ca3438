/// One Ofsted inspection or visit of a council's children's services.
public struct Inspection: Sendable, VersionedRecord {
    public var id: String
    /// The council's current GSS code (imports resolve former codes, slugs and la_codes).
    public var council: String
    public var framework: Framework
    /// The publisher's own name for the event, e.g. "ILACS Standard Inspection".
    public var type: String?
    public var visitTheme: String?
    /// Null where the published record lacks it (no start dates before 2018).
    public var started: CalendarDate?
    /// Null where the published record lacks it (some visits).
    public var published: CalendarDate?
    /// Null for visits, which carry no grade.
    public var overall: Grade?
    public var judgements: Judgements
    public var summary: String?
    public var reportURL: String?
    /// The published file the record came from, when imported.
    public var source: String?
    public var version: UInt64

    public init(
        id: String, council: String, framework: Framework, type: String? = nil, visitTheme: String? = nil,
        started: CalendarDate? = nil, published: CalendarDate? = nil, overall: Grade? = nil,
        judgements: Judgements = Judgements(), summary: String? = nil, reportURL: String? = nil,
        source: String? = nil, version: UInt64 = 0
    ) {
        self.id = id
        self.council = council
        self.framework = framework
        self.type = type
        self.visitTheme = visitTheme
        self.started = started
        self.published = published
        self.overall = overall
        self.judgements = judgements
        self.summary = summary
        self.reportURL = reportURL
        self.source = source
        self.version = version
    }
}

/// The per-area judgements; older frameworks grade only some of them.
public struct Judgements: Sendable, Equatable {
    public var helpAndProtection: Grade?
    public var childrenInCare: Grade?
    public var careLeavers: Grade?
    public var leadership: Grade?

    public init(helpAndProtection: Grade? = nil, childrenInCare: Grade? = nil, careLeavers: Grade? = nil, leadership: Grade? = nil) {
        self.helpAndProtection = helpAndProtection
        self.childrenInCare = childrenInCare
        self.careLeavers = careLeavers
        self.leadership = leadership
    }
}

public enum Framework: String, Sendable, CaseIterable {
    case ilacs
    case sif
    case safeguardingAndLAC = "safeguarding_and_lac"
    case focusedVisit = "focused_visit"
    case monitoringVisit = "monitoring_visit"
    case jtai

    /// Visits carry no grade.
    public var isVisit: Bool { self == .focusedVisit || self == .monitoringVisit || self == .jtai }
}

public enum Grade: String, Sendable, CaseIterable {
    case outstanding
    case good
    case requiresImprovement = "requires_improvement"
    case adequate
    case inadequate

    /// Best first, the order lists sort grades in: outstanding, good, requires improvement,
    /// adequate (the third of four grades before 2013, beside requires improvement), inadequate.
    public var rank: Int {
        switch self {
        case .outstanding: return 1
        case .good: return 2
        case .requiresImprovement: return 3
        case .adequate: return 4
        case .inadequate: return 5
        }
    }
}
