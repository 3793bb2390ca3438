/// One immutable, consistent version of everything the store holds, with its indexes.
/// Readers take a `StoreState` and keep it as long as they like: writers build the next one
/// (copy-on-write, so only the touched buckets are copied) and publish it atomically.
public struct StoreState: Sendable {
    /// The journal sequence number of the last change applied (0 when empty).
    public internal(set) var generation: UInt64 = 0
    /// When the last change was committed.
    public internal(set) var committedAt = Timestamp(secondsSince1970: 0)

    var councilsByCode: [String: Council] = [:]
    var councilCodes: [String] = []                     // sorted
    var aliases: [String: String] = [:]                 // former code, la_code, slug → code
    var councilsByRegion: [Region: [String]] = [:]      // sorted codes
    var councilsByKind: [CouncilKind: [String]] = [:]   // sorted codes
    var councilsByLatestGrade: [Grade: [String]] = [:]  // sorted codes
    var latestInspectionID: [String: String] = [:]      // council → id of most recent graded
    var latestGrades: [String: Grade] = [:]             // council → its grade in councilsByLatestGrade

    var inspectionsByID: [String: Inspection] = [:]
    var inspectionsByCouncil: [String: [String]] = [:]      // ids, newest first
    var inspectionsByFramework: [Framework: [String]] = [:] // ids, newest first
    var inspectionsByPublished: [String] = []               // ids with a publication date, ascending

    var workforceByCouncil: [String: [WorkforceYear]] = [:] // oldest first
    var workforceByYear: [Int: [String]] = [:]              // sorted council codes
    var workforceRowCount = 0

    // Published figures and neighbour models: see StoreState+Figures.swift.
    var figureTable: [String: [Int: [String: FigureRow]]] = [:] // dataset → year → area → row
    var figureRowCount = 0
    var jointReturnRows: [String: Int] = [:]                   // joint area code → rows held
    var jointAreasByCouncil: [String: [String]] = [:]          // council → joint areas held, sorted
    var neighbourLists: [String: [Int: NeighbourList]] = [:]   // model → subject la_code → list

    // What changed, when and why: see History/ and StoreState+History.swift.
    public internal(set) var history = HistoryLog()
    var releasesByID: [String: Release] = [:]
    var releaseIDs: [String] = []                              // in the order imported

    public init() {}

    // MARK: councils

    /// Resolves a council by code, any former code, its la_code or its slug.
    public func council(named key: String) -> Council? {
        if let council = councilsByCode[key] { return council }
        if let code = aliases[key] { return councilsByCode[code] }
        return nil
    }

    public func councilsAll() -> [Council] { councilCodes.map { councilsByCode[$0]! } }
    public var councilCount: Int { councilCodes.count }

    // MARK: inspections

    /// The most recent graded inspection (overall not null) of the council.
    public func latestInspection(ofCouncil code: String) -> Inspection? {
        latestInspectionID[code].flatMap { inspectionsByID[$0] }
    }

    public func inspection(id: String) -> Inspection? { inspectionsByID[id] }

    public func inspections(ofCouncil code: String) -> [Inspection] {
        (inspectionsByCouncil[code] ?? []).map { inspectionsByID[$0]! }
    }

    /// Newest first.
    public func inspectionsAll() -> [Inspection] {
        inspectionsByID.values.sorted(by: Inspection.newestFirst)
    }

    public var inspectionCount: Int { inspectionsByID.count }

    // MARK: workforce

    public func workforce(council code: String, year: Int) -> WorkforceYear? {
        workforceByCouncil[code]?.first { $0.year == year }
    }

    public func workforce(ofCouncil code: String) -> [WorkforceYear] { workforceByCouncil[code] ?? [] }

    /// By council code, then year.
    public func workforceAll() -> [WorkforceYear] {
        var rows: [WorkforceYear] = []
        rows.reserveCapacity(workforceRowCount)
        for code in workforceByCouncil.keys.sorted() { rows += workforceByCouncil[code]! }
        return rows
    }

    public var workforceCount: Int { workforceRowCount }

    /// The census years with at least one council's row, ascending: what a year filter on
    /// workforce can find.
    public var workforceYears: [Int] {
        var years = Set<Int>()
        for rows in workforceByCouncil.values { for row in rows { years.insert(row.year) } }
        return years.sorted()
    }
}

extension Inspection {
    /// The date an inspection is ordered by: publication, or the start when unpublished.
    var orderingDate: CalendarDate? { published ?? started }

    /// Newest first; undated records last; ties by id so the order is total.
    static func newestFirst(_ a: Inspection, _ b: Inspection) -> Bool {
        switch (a.orderingDate, b.orderingDate) {
        case let (x?, y?) where x != y: return x > y
        case (.some, nil): return true
        case (nil, .some): return false
        default:
            if a.started != b.started {
                guard let x = a.started else { return false }
                guard let y = b.started else { return true }
                return x > y
            }
            return a.id < b.id
        }
    }
}
