/// Councils by the overall grade in force on a date, nationally and per region
/// (`GET /v1/stats/ratings`).
///
/// JSON shape (every key always present; regions in the contract's order, all nine listed):
/// ```json
/// {
///   "as_of": "2025-03-31",
///   "basis": "ofsted",
///   "published_by": "2025-06-30",
///   "national": {
///     "councils": 153, "graded": 153,
///     "counts": {"outstanding": 36, "good": 67, "requires_improvement": 31, "adequate": 0, "inadequate": 19, "not_yet_inspected": 0},
///     "shares": {"outstanding": 23.5, "good": 43.8, "requires_improvement": 20.3, "adequate": 0, "inadequate": 12.4}
///   },
///   "regions": [{"region": "North East", "councils": 12, "graded": 12, "counts": {...}, "shares": {...}}, ...]
/// }
/// ```
/// `published_by` is the last publication date counted (`as_of` itself for basis `published`,
/// `as_of` + 3 months for `ofsted`). `shares` are percentages of the *graded* councils (as
/// Ofsted reports them), rounded to one decimal place, so they may not sum to exactly 100;
/// all zero when no council is graded. Councils with no counting inspection are
/// `not_yet_inspected`, which has a count but no share.
public struct RatingStatistics: Sendable, Equatable {
    /// The keys of `counts`, in output order.
    public static let categories = Grade.allCases.map(\.rawValue) + ["not_yet_inspected"]

    public struct Group: Sendable, Equatable {
        public var councils = 0
        public var graded = 0
        /// Keyed by grade raw value or `not_yet_inspected`.
        public var counts: [String: Int] = Dictionary(uniqueKeysWithValues: RatingStatistics.categories.map { ($0, 0) })

        /// Percentage of graded councils holding `grade`, to one decimal place.
        public func share(_ grade: Grade) -> Double {
            guard graded > 0 else { return 0 }
            return (Double(counts[grade.rawValue] ?? 0) * 1000 / Double(graded)).rounded() / 10
        }

        mutating func add(_ grade: Grade?) {
            councils += 1
            if let grade {
                graded += 1
                counts[grade.rawValue, default: 0] += 1
            } else {
                counts["not_yet_inspected", default: 0] += 1
            }
        }

        func writeJSON(into writer: inout JSONWriter) {
            writer.field("councils", councils)
            writer.field("graded", graded)
            writer.key("counts")
            writer.beginObject()
            for category in RatingStatistics.categories { writer.field(category, counts[category] ?? 0) }
            writer.endObject()
            writer.key("shares")
            writer.beginObject()
            for grade in Grade.allCases { writer.field(grade.rawValue, share(grade)) }
            writer.endObject()
        }
    }

    public var asOf: CalendarDate
    public var basis: RatingBasis
    public var publishedBy: CalendarDate
    public var national = Group()
    /// Every region, in `Region.allCases` order.
    public var regions: [(region: Region, group: Group)]
    /// Council code → the inspection whose grade is in force (absent: not yet inspected).
    public var inForce: [String: Inspection] = [:]

    public static func compute(councils: [Council], inspections: [Inspection], asOf: CalendarDate, basis: RatingBasis) -> RatingStatistics {
        var result = RatingStatistics(asOf: asOf, basis: basis, publishedBy: GradeHistory.publicationCutoff(asOf: asOf, basis: basis),
                                      regions: [])
        var regional = Dictionary(uniqueKeysWithValues: Region.allCases.map { ($0, Group()) })
        let history = GradeHistory.byCouncil(inspections)
        for council in councils {
            let inspection = GradeHistory.inForce(history[council.code] ?? [], asOf: asOf, basis: basis)
            if let inspection { result.inForce[council.code] = inspection }
            result.national.add(inspection?.overall)
            regional[council.region]!.add(inspection?.overall)
        }
        result.regions = Region.allCases.map { ($0, regional[$0]!) }
        return result
    }

    public static func == (lhs: RatingStatistics, rhs: RatingStatistics) -> Bool {
        lhs.asOf == rhs.asOf && lhs.basis == rhs.basis && lhs.national == rhs.national
            && lhs.regions.map(\.region) == rhs.regions.map(\.region) && lhs.regions.map(\.group) == rhs.regions.map(\.group)
            && lhs.inForce == rhs.inForce
    }

    public func group(_ region: Region) -> Group? { regions.first { $0.region == region }?.group }

    public func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("as_of", asOf.description)
        writer.field("basis", basis.rawValue)
        writer.field("published_by", publishedBy.description)
        writer.key("national")
        writer.beginObject()
        national.writeJSON(into: &writer)
        writer.endObject()
        writer.key("regions")
        writer.beginArray()
        for (region, group) in regions {
            writer.beginObject()
            writer.field("region", region.rawValue)
            group.writeJSON(into: &writer)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }
}
