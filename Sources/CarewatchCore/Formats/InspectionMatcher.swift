/// Recognises an inspection that is already known, so that importing an official file over
/// data that came from it (or from another Ofsted release listing the same event) adds
/// nothing twice. Ofsted's releases disagree in small ways about the same event (Isles of
/// Scilly's 2023 start is 10 July in one file and 11 July in the next; Nottingham's 2022
/// publication date has day and month swapped in the 2023 file), so dates match within a week,
/// or with day and month swapped. The record already held wins: it came from the file the
/// store was built from, and PROVENANCE's rule is that the newest release wins.
struct InspectionMatcher {
    static let toleranceDays = 7

    private var byCouncil: [String: [Inspection]] = [:]

    init(_ inspections: some Sequence<Inspection>) {
        for inspection in inspections { add(inspection) }
    }

    mutating func add(_ inspection: Inspection) {
        byCouncil[inspection.council, default: []].append(inspection)
    }

    func match(_ candidate: Inspection) -> Inspection? {
        guard let known = byCouncil[candidate.council] else { return nil }
        let key = InspectionIDAllocator.key(candidate)
        if let exact = known.first(where: { InspectionIDAllocator.key($0) == key }) { return exact }
        return known.first { Self.sameEvent($0, candidate) }
    }

    static func sameEvent(_ a: Inspection, _ b: Inspection) -> Bool {
        guard a.council == b.council, a.framework == b.framework else { return false }
        // SLAC and SIF inspections and their re-inspections are distinct events even on one
        // day. ILACS short and standard are not told apart this way: Ofsted relabelled Merton's
        // 2022 inspection from standard (2023 file) to short (2025 file).
        if a.framework == .sif || a.framework == .safeguardingAndLAC, let x = a.type, let y = b.type,
           x.lowercased() != y.lowercased() { return false }
        if let overallA = a.overall, let overallB = b.overall, overallA != overallB { return false }
        if let x = a.started, let y = b.started {
            // Two events of one framework start weeks apart at the least.
            return abs(OfficialText.days(x, y)) <= toleranceDays
        }
        if let x = a.published, let y = b.published,
           abs(OfficialText.days(x, y)) <= toleranceDays || swapped(x) == y { return true }
        // A record with a publication date only (the wide tables) against one with a start: the
        // report follows the start within months (Nottingham 2022: started 11 July, published
        // 5 September in one file and 5 November in another).
        return within(a.published, after: b.started) || within(b.published, after: a.started)
    }

    private static func within(_ published: CalendarDate?, after started: CalendarDate?) -> Bool {
        guard let published, let started else { return false }
        return started <= published && published <= started.adding(months: 6)
    }

    private static func swapped(_ date: CalendarDate) -> CalendarDate? {
        CalendarDate(year: date.year, month: date.day, day: date.month)
    }
}
