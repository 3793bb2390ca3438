/// Which inspections count when asking "what was this council's grade on a date".
public enum RatingBasis: String, Sendable, CaseIterable {
    /// The latest graded inspection published by the date.
    case published
    /// Ofsted's rule for its "as at 31 March" tables: the latest graded inspection that started
    /// by the date and whose report was published within three months after it. Ofsted's 2024
    /// and 2025 tables count reports published by 30 June; its 2023 table used 30 April, so
    /// replaying 2023 with this rule differs for inspections published in May and June 2023.
    case ofsted
}

/// Replays a council's inspection history: the grade in force on a date. Only graded
/// inspections (`overall` not null) count; visits and SLAC inspections carry no overall grade.
public enum GradeHistory {
    /// The last publication date that counts for `asOf` under `basis`.
    public static func publicationCutoff(asOf: CalendarDate, basis: RatingBasis) -> CalendarDate {
        switch basis {
        case .published: return asOf
        case .ofsted: return asOf.adding(months: 3)
        }
    }

    /// The inspection whose grade is in force, or nil when none counts ("not yet inspected").
    /// Records without a start date (SIF, before 2018) are dated by publication for the
    /// "started by" test: a report cannot precede its inspection.
    public static func inForce(_ inspections: some Sequence<Inspection>, asOf: CalendarDate, basis: RatingBasis) -> Inspection? {
        let cutoff = publicationCutoff(asOf: asOf, basis: basis)
        var best: Inspection?
        for inspection in inspections where inspection.overall != nil {
            guard let published = inspection.published, published <= cutoff else { continue }
            if basis == .ofsted, (inspection.started ?? published) > asOf { continue }
            if let current = best, !isLater(inspection, than: current, basis: basis) { continue }
            best = inspection
        }
        return best
    }

    /// Order of succession: by publication (basis published) or by start (basis ofsted, as
    /// Ofsted's tables show the most recent inspection), ties broken by the other date and id.
    static func isLater(_ a: Inspection, than b: Inspection, basis: RatingBasis) -> Bool {
        let keyA: (CalendarDate?, CalendarDate?)
        let keyB: (CalendarDate?, CalendarDate?)
        switch basis {
        case .published:
            keyA = (a.published, a.started ?? a.published)
            keyB = (b.published, b.started ?? b.published)
        case .ofsted:
            keyA = (a.started ?? a.published, a.published)
            keyB = (b.started ?? b.published, b.published)
        }
        for (x, y) in [(keyA.0, keyB.0), (keyA.1, keyB.1)] where x != y {
            guard let x else { return false }
            guard let y else { return true }
            return x > y
        }
        return a.id > b.id
    }

    /// Inspections grouped by council code, for replaying many councils at once.
    static func byCouncil(_ inspections: some Sequence<Inspection>) -> [String: [Inspection]] {
        var groups: [String: [Inspection]] = [:]
        for inspection in inspections where inspection.overall != nil { groups[inspection.council, default: []].append(inspection) }
        return groups
    }
}
