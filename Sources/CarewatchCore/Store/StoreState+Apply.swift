/// How a change turns one state into the next. Every rule that keeps the collections
/// consistent with each other (councils exist, codes/slugs/la_codes unique, cascades) lives
/// here, so it holds no matter which client (API, import, journal replay) made the change.
extension StoreState {
    /// Applies `changes` as one commit with sequence number `sequence`. Returns the changes
    /// that took effect, as they were applied (council names resolved to codes, generated ids
    /// filled in): that resolved form is what gets journaled, so replay needs no guessing.
    ///
    /// A put whose record is identical to the stored one (everything but the store's own
    /// `version` and `updated_at`) is no change: it is left out of the result and the record
    /// keeps its version, so its ETag and `updated_at` move only when its content does. When
    /// nothing takes effect the caller writes no journal record at all.
    ///
    /// - Parameter today: the commit's date for live writes, which also checks the rules
    ///   that depend on the day or were added after records may have been written: no dates
    ///   in the future (an inspection started or published after today, a workforce year
    ///   after the current reporting year) and no workforce row without a figure or source.
    ///   Nil when replaying the journal or seeding, whose records were accepted before and
    ///   must load whatever the clock says now.
    /// Every record the commit changed goes into `history` (numbered from `firstChange` when
    /// a journal record gives its numbers back, else after the last), with `origin`; an
    /// import of a release that changed something records the release.
    ///
    /// - Throws: `ValidationError` naming the field, with `changeIndex` set to the position
    ///   in `changes` of the change that broke a rule.
    @discardableResult
    mutating func apply(_ changes: [Change], sequence: UInt64, at time: Timestamp, today: CalendarDate? = nil,
                        origin: Origin? = nil, firstChange: UInt64? = nil) throws(ValidationError) -> [Change] {
        var resolved: [Change] = []
        resolved.reserveCapacity(changes.count)
        var recorded: [PendingChange] = []
        for (index, change) in changes.enumerated() {
            do {
                if let applied = try apply(change, sequence: sequence, at: time, today: today, recording: &recorded) { resolved.append(applied) }
            } catch {
                var located = error
                located.changeIndex = index
                throw located
            }
        }
        generation = sequence
        committedAt = time
        if !recorded.isEmpty {
            let commit = HistoryCommit(version: sequence, at: time, origin: origin)
            history.append(recorded, commit: commit, first: firstChange)
            if let origin { recordRelease(origin, commit: commit, changes: recorded) }
        }
        return resolved
    }

    /// One change; nil when it changes nothing.
    private mutating func apply(_ change: Change, sequence: UInt64, at time: Timestamp, today: CalendarDate?,
                                recording recorded: inout [PendingChange]) throws(ValidationError) -> Change? {
        switch change {
        case .putCouncil(var council):
            try checkCouncil(council)
            let current = councilsByCode[council.code]
            if let current, current.hasSameContent(as: council) { return nil }
            council.version = sequence
            council.updatedAt = time
            putCouncil(council)
            recorded.append(.put(.council(council.code), old: current?.historyFields, new: council.historyFields))
            return .putCouncil(council)
        case .deleteCouncil(let key):
            guard let council = council(named: key) else { throw ValidationError(field: "code", message: "no such council: \(key)") }
            recordRemoval(ofCouncil: council, into: &recorded)
            removeCouncil(council.code)
            return .deleteCouncil(code: council.code)
        case .putInspection(var inspection):
            guard let council = council(named: inspection.council) else {
                throw ValidationError(field: "council", message: "no such council: \(inspection.council)")
            }
            inspection.council = council.code
            if inspection.id.isEmpty { inspection.id = makeInspectionID(for: inspection) }
            var errors = inspection.validate()
            if let today { errors += inspection.futureDateErrors(today: today) }
            if !errors.isEmpty { throw ValidationError(errors) }
            let current = inspectionsByID[inspection.id]
            if let current, current.hasSameContent(as: inspection) { return nil }
            inspection.version = sequence
            putInspection(inspection)
            recorded.append(.put(.inspection(id: inspection.id, council: inspection.council), old: current?.historyFields, new: inspection.historyFields))
            return .putInspection(inspection)
        case .deleteInspection(let id):
            guard let current = inspectionsByID[id] else { throw ValidationError(field: "id", message: "no such inspection: \(id)") }
            recorded.append(.removal(.inspection(id: id, council: current.council), current.historyFields))
            removeInspection(id)
            return change
        case .putWorkforce(var row):
            guard let council = council(named: row.council) else {
                throw ValidationError(field: "council", message: "no such council: \(row.council)")
            }
            row.council = council.code
            var errors = row.validate()
            if let today { errors += row.futureYearErrors(today: today) + row.emptinessErrors() }
            if !errors.isEmpty { throw ValidationError(errors) }
            let current = workforce(council: row.council, year: row.year)
            if let current, current.hasSameContent(as: row) { return nil }
            row.version = sequence
            putWorkforce(row)
            let key = RecordKey.workforce(council: row.council, year: row.year)
            recorded.append(current.map { PendingChange(key: key, action: .updated, fields: row.historyChanges(from: $0)) }
                            ?? PendingChange(key: key, action: .created, fields: []))
            return .putWorkforce(row)
        case .deleteWorkforce(let key, let year):
            guard let council = council(named: key), let current = workforce(council: council.code, year: year) else {
                throw ValidationError(field: "year", message: "no workforce row for \(key) in \(year)")
            }
            recorded.append(.removal(.workforce(council: council.code, year: year), current.historyFields))
            removeWorkforce(council: council.code, year: year)
            return .deleteWorkforce(council: council.code, year: year)
        case .putFigures(let row):
            guard let (stored, previous) = try putFigures(row, version: sequence, today: today) else { return nil }
            recorded.append(.put(.figures(stored.key), old: previous?.historyFields, new: stored.historyFields))
            return .putFigures(stored)
        case .deleteFigures(let key):
            let removed = try deleteFigures(key)
            recorded.append(.removal(.figures(removed.key), removed.historyFields))
            return .deleteFigures(removed.key)
        case .putNeighbours(let list):
            guard let (stored, previous) = try putNeighbours(list, version: sequence) else { return nil }
            recorded.append(.put(.neighbours(model: stored.model, laCode: stored.laCode), old: previous?.historyFields, new: stored.historyFields))
            return .putNeighbours(stored)
        case .deleteNeighbours(let model, let laCode):
            let removed = try deleteNeighbours(model: model, laCode: laCode)
            recorded.append(.removal(.neighbours(model: model, laCode: laCode), removed.historyFields))
            return change
        }
    }

    /// A council's deletion removes its inspections, workforce rows and published rows (and
    /// the joint returns it was part of) in the same commit: each is a change of its own.
    private func recordRemoval(ofCouncil council: Council, into recorded: inout [PendingChange]) {
        recorded.append(.removal(.council(council.code), council.historyFields))
        for inspection in inspections(ofCouncil: council.code) {
            recorded.append(.removal(.inspection(id: inspection.id, council: council.code), inspection.historyFields))
        }
        for row in workforce(ofCouncil: council.code) {
            recorded.append(.removal(.workforce(council: council.code, year: row.year), row.historyFields))
        }
        for row in figureRows(ofCouncil: council.code) { recorded.append(.removal(.figures(row.key), row.historyFields)) }
    }

    /// Problems that only show against the other councils: a code, former code, slug or
    /// la_code that already belongs to a different council. Empty when `council` may be put.
    public func conflicts(for council: Council) -> [FieldError] {
        var errors: [FieldError] = []
        func owner(_ key: String) -> String? {
            if councilsByCode[key] != nil { return key }
            return aliases[key]
        }
        if let other = owner(council.code), other != council.code {
            errors.append(FieldError(field: "code", message: "is a former code of \(other)"))
        }
        if let other = owner(council.slug), other != council.code {
            errors.append(FieldError(field: "slug", message: "is already used by \(other)"))
        }
        if let other = owner(String(council.laCode)), other != council.code {
            errors.append(FieldError(field: "la_code", message: "is already used by \(other)"))
        }
        for (index, former) in council.formerCodes.enumerated() {
            if let other = owner(former), other != council.code {
                errors.append(FieldError(field: "former_codes[\(index)]", message: "already belongs to \(other)"))
            }
        }
        return errors
    }

    /// A deterministic id for a new inspection (`InspectionID`'s hash of what identifies the
    /// event), so seeding or importing the same published record twice names it the same; a
    /// collision with a different record moves on to the next candidate.
    public func makeInspectionID(for inspection: Inspection) -> String {
        var attempt = 0
        while true {
            let id = InspectionID.derive(for: inspection, attempt: attempt)
            if inspectionsByID[id] == nil { return id }
            attempt += 1
        }
    }

    // MARK: councils

    /// The council's own rules and its uniqueness against the others.
    private func checkCouncil(_ council: Council) throws(ValidationError) {
        let errors = council.validate() + conflicts(for: council)
        if !errors.isEmpty { throw ValidationError(errors) }
    }

    private mutating func putCouncil(_ council: Council) {
        let previous = councilsByCode[council.code]
        if let previous {
            removeAliases(of: previous)
            SortedIndex.remove(previous.code, from: &councilsByRegion[previous.region, default: []])
            SortedIndex.remove(previous.code, from: &councilsByKind[previous.kind, default: []])
        } else {
            SortedIndex.insert(council.code, into: &councilCodes)
        }
        councilsByCode[council.code] = council
        addAliases(of: council)
        SortedIndex.insert(council.code, into: &councilsByRegion[council.region, default: []])
        SortedIndex.insert(council.code, into: &councilsByKind[council.kind, default: []])
    }

    private mutating func addAliases(of council: Council) {
        for former in council.formerCodes { aliases[former] = council.code }
        aliases[council.slug] = council.code
        aliases[String(council.laCode)] = council.code
    }

    private mutating func removeAliases(of council: Council) {
        for former in council.formerCodes { aliases[former] = nil }
        aliases[council.slug] = nil
        aliases[String(council.laCode)] = nil
    }

    private mutating func removeCouncil(_ code: String) {
        guard let council = councilsByCode.removeValue(forKey: code) else { return }
        removeAliases(of: council)
        SortedIndex.remove(code, from: &councilCodes)
        SortedIndex.remove(code, from: &councilsByRegion[council.region, default: []])
        SortedIndex.remove(code, from: &councilsByKind[council.kind, default: []])
        for id in inspectionsByCouncil[code] ?? [] { removeInspection(id) }
        inspectionsByCouncil[code] = nil
        for row in workforceByCouncil[code] ?? [] { removeWorkforce(council: code, year: row.year) }
        workforceByCouncil[code] = nil
        removeFigures(ofCouncil: code)
        setLatest(of: code, to: nil)
    }

    // MARK: inspections

    private mutating func putInspection(_ inspection: Inspection) {
        if inspectionsByID[inspection.id] != nil { removeInspection(inspection.id) }
        inspectionsByID[inspection.id] = inspection
        let byID = inspectionsByID
        let newer: (String, String) -> Bool = { Inspection.newestFirst(byID[$0]!, byID[$1]!) }
        SortedIndex.insert(inspection.id, into: &inspectionsByCouncil[inspection.council, default: []], by: newer)
        SortedIndex.insert(inspection.id, into: &inspectionsByFramework[inspection.framework, default: []], by: newer)
        if inspection.published != nil {
            SortedIndex.insert(inspection.id, into: &inspectionsByPublished, by: StoreState.publishedAscending(byID))
        }
        refreshLatest(of: inspection.council)
    }

    private mutating func removeInspection(_ id: String) {
        guard let inspection = inspectionsByID[id] else { return }
        do {
            let byID = inspectionsByID
            let newer: (String, String) -> Bool = { Inspection.newestFirst(byID[$0]!, byID[$1]!) }
            SortedIndex.remove(id, from: &inspectionsByCouncil[inspection.council, default: []], by: newer)
            SortedIndex.remove(id, from: &inspectionsByFramework[inspection.framework, default: []], by: newer)
            if inspection.published != nil {
                SortedIndex.remove(id, from: &inspectionsByPublished, by: StoreState.publishedAscending(byID))
            }
        }
        inspectionsByID[id] = nil
        if inspectionsByCouncil[inspection.council]?.isEmpty == true { inspectionsByCouncil[inspection.council] = nil }
        refreshLatest(of: inspection.council)
    }

    static func publishedAscending(_ byID: [String: Inspection]) -> (String, String) -> Bool {
        { a, b in
            let x = byID[a]!.published!, y = byID[b]!.published!
            return x != y ? x < y : a < b
        }
    }

    private mutating func refreshLatest(of code: String) {
        let latest = (inspectionsByCouncil[code] ?? []).first { inspectionsByID[$0]!.overall != nil }
        setLatest(of: code, to: latest)
    }

    private mutating func setLatest(of code: String, to id: String?) {
        if let old = latestGrades[code] {
            SortedIndex.remove(code, from: &councilsByLatestGrade[old, default: []])
        }
        latestInspectionID[code] = id
        let newGrade = id.flatMap { inspectionsByID[$0]?.overall }
        latestGrades[code] = newGrade
        if let newGrade, councilsByCode[code] != nil {
            SortedIndex.insert(code, into: &councilsByLatestGrade[newGrade, default: []])
        }
    }

    // MARK: workforce

    private mutating func putWorkforce(_ row: WorkforceYear) {
        var rows = workforceByCouncil[row.council] ?? []
        if let index = rows.firstIndex(where: { $0.year == row.year }) {
            rows[index] = row
        } else {
            let index = rows.firstIndex { $0.year > row.year } ?? rows.count
            rows.insert(row, at: index)
            workforceRowCount += 1
            SortedIndex.insert(row.council, into: &workforceByYear[row.year, default: []])
        }
        workforceByCouncil[row.council] = rows
    }

    private mutating func removeWorkforce(council code: String, year: Int) {
        guard var rows = workforceByCouncil[code], let index = rows.firstIndex(where: { $0.year == year }) else { return }
        rows.remove(at: index)
        workforceByCouncil[code] = rows.isEmpty ? nil : rows
        workforceRowCount -= 1
        SortedIndex.remove(code, from: &workforceByYear[year, default: []])
        if workforceByYear[year]?.isEmpty == true { workforceByYear[year] = nil }
    }
}

/// Sorted arrays used as secondary indexes: binary search to find, insert or remove.
enum SortedIndex {
    static func insert<T: Comparable>(_ value: T, into array: inout [T]) {
        insert(value, into: &array, by: <)
    }

    static func remove<T: Comparable>(_ value: T, from array: inout [T]) {
        remove(value, from: &array, by: <)
    }

    static func insert<T: Equatable>(_ value: T, into array: inout [T], by less: (T, T) -> Bool) {
        let index = lowerBound(value, in: array, by: less)
        if index < array.count, array[index] == value { return }
        array.insert(value, at: index)
    }

    static func remove<T: Equatable>(_ value: T, from array: inout [T], by less: (T, T) -> Bool) {
        let index = lowerBound(value, in: array, by: less)
        if index < array.count, array[index] == value {
            array.remove(at: index)
        } else if let index = array.firstIndex(of: value) {
            array.remove(at: index)   // ordering key changed underneath; fall back to a scan
        }
    }

    static func lowerBound<T>(_ value: T, in array: [T], by less: (T, T) -> Bool) -> Int {
        var low = 0, high = array.count
        while low < high {
            let mid = (low + high) / 2
            if less(array[mid], value) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

