/// The published figures (`FigureRow`: DfE's tidy-file rows for councils, joint returns,
/// regions and England) and the statistical neighbour models (`NeighbourList`): their
/// collections' reads, the rules their changes obey, and their bulk load from a snapshot.
///
/// Figures are bucketed dataset → year → area, so a write copies one small bucket rather
/// than the whole table (the state is copy-on-write and every commit starts from a copy).
extension StoreState {
    // MARK: figures

    public func figures(dataset: String, area: String, year: Int) -> FigureRow? {
        figureTable[dataset]?[year]?[area]
    }

    /// Every area's row of a dataset in one year, by area code.
    public func figureRows(dataset: String, year: Int) -> [String: FigureRow] {
        figureTable[dataset]?[year] ?? [:]
    }

    /// Years with at least one row of the dataset, ascending.
    public func figureYears(dataset: String) -> [Int] {
        (figureTable[dataset] ?? [:]).keys.sorted()
    }

    /// Years with at least one row of any dataset, ascending.
    public var figureYears: [Int] {
        Set(figureTable.values.flatMap(\.keys)).sorted()
    }

    /// By dataset, then area, then year: the order of snapshots and exports.
    public func figuresAll() -> [FigureRow] {
        var rows: [FigureRow] = []
        rows.reserveCapacity(figureRowCount)
        for dataset in figureTable.keys.sorted() {
            var byArea: [String: [FigureRow]] = [:]
            for (_, areas) in figureTable[dataset]! {
                for (area, row) in areas { byArea[area, default: []].append(row) }
            }
            for area in byArea.keys.sorted() { rows += byArea[area]!.sorted { $0.year < $1.year } }
        }
        return rows
    }

    public var figureCount: Int { figureRowCount }

    /// The joint return (one DfE row for two councils) that holds `code`'s figures of a
    /// dataset in a year, if the council made one.
    public func jointReturn(containing code: String, dataset: String, year: Int) -> FigureRow? {
        // Called for every council without a row of its own (the comparison ranks all of
        // them): one look-up by council, through the index.
        guard let joint = jointAreasByCouncil[code], let areas = figureTable[dataset]?[year] else { return nil }
        for area in joint { if let row = areas[area] { return row } }
        return nil
    }

    /// Joint-return areas held (any dataset or year) that include `code`.
    public func jointReturnAreas(containing code: String) -> [String] {
        jointAreasByCouncil[code] ?? []
    }

    // MARK: neighbour models

    public func neighbourList(model: String, laCode: Int) -> NeighbourList? { neighbourLists[model]?[laCode] }

    /// Every model held, ascending (`["2021", "2025"]`).
    public var neighbourModels: [String] { neighbourLists.keys.sorted() }

    /// The lists of one model, by subject la_code.
    public func neighbourLists(model: String) -> [NeighbourList] {
        (neighbourLists[model] ?? [:]).values.sorted { $0.laCode < $1.laCode }
    }

    /// By model, then subject la_code.
    public func neighbourListsAll() -> [NeighbourList] { neighbourModels.flatMap { neighbourLists(model: $0) } }

    public var neighbourListCount: Int { neighbourLists.values.reduce(0) { $0 + $1.count } }

    // MARK: changes

    /// A council row (or each council of a joint return) must name a council the store holds;
    /// any of its names resolves to its current code. Returns the row as stored and the one it
    /// replaced; nil when the row is already held as it is (its version stays). `today` (live
    /// writes only) refuses a year still to come.
    mutating func putFigures(_ given: FigureRow, version: UInt64, today: CalendarDate? = nil) throws(ValidationError) -> (FigureRow, previous: FigureRow?)? {
        var row = given
        if row.level == .localAuthority {
            var codes: [String] = []
            for member in row.members {
                guard let council = council(named: member) else {
                    throw ValidationError(field: "area", message: "no such council: \(member)")
                }
                codes.append(council.code)
            }
            row.area = codes.joined(separator: AreaCode.jointSeparator)
        }
        var errors = row.validate()
        if let today, row.year > today.year {
            errors.append(FieldError(field: "year", message: "\(row.year) is after this year (\(today.year)): no figures are published for it yet"))
        }
        if !errors.isEmpty { throw ValidationError(errors) }
        let previous = figureTable[row.dataset]?[row.year]?[row.area]
        if let previous, previous.hasSameContent(as: row) { return nil }
        row.version = version
        figureTable[row.dataset, default: [:]][row.year, default: [:]][row.area] = row
        if previous == nil { counted(row.area) }
        return (row, previous)
    }

    /// Returns the row removed.
    mutating func deleteFigures(_ given: FigureKey) throws(ValidationError) -> FigureRow {
        var key = given
        if figures(dataset: key.dataset, area: key.area, year: key.year) == nil, let council = council(named: key.area) {
            key.area = council.code
        }
        guard let row = figures(dataset: key.dataset, area: key.area, year: key.year) else {
            throw ValidationError(field: "area", message: "no \(key.dataset) figures for \(given.area) in \(key.year)")
        }
        removeFigures(key)
        return row
    }

    private mutating func removeFigures(_ key: FigureKey) {
        guard figureTable[key.dataset]?[key.year]?.removeValue(forKey: key.area) != nil else { return }
        figureRowCount -= 1
        if AreaCode.isJoint(key.area) {
            jointReturnRows[key.area, default: 1] -= 1
            if jointReturnRows[key.area] == 0 {
                jointReturnRows[key.area] = nil
                for member in AreaCode.members(of: key.area) {
                    jointAreasByCouncil[member]?.removeAll { $0 == key.area }
                    if jointAreasByCouncil[member]?.isEmpty == true { jointAreasByCouncil[member] = nil }
                }
            }
        }
        if figureTable[key.dataset]?[key.year]?.isEmpty == true { figureTable[key.dataset]?[key.year] = nil }
        if figureTable[key.dataset]?.isEmpty == true { figureTable[key.dataset] = nil }
    }

    /// What a council's deletion takes with it: its rows, and the joint returns it was part of.
    func figureRows(ofCouncil code: String) -> [FigureRow] {
        var doomed: [FigureRow] = []
        for (_, years) in figureTable {
            for (_, areas) in years {
                if let row = areas[code] { doomed.append(row) }
                for area in jointAreasByCouncil[code] ?? [] { if let row = areas[area] { doomed.append(row) } }
            }
        }
        return doomed
    }

    /// Cascade of a council's deletion: its rows, and the joint returns it was part of.
    mutating func removeFigures(ofCouncil code: String) {
        for row in figureRows(ofCouncil: code) { removeFigures(row.key) }
    }

    /// Returns the list as stored and the one it replaced; nil when the list is already held
    /// as it is (its version stays).
    mutating func putNeighbours(_ given: NeighbourList, version: UInt64) throws(ValidationError) -> (NeighbourList, previous: NeighbourList?)? {
        var list = given
        let errors = list.validate()
        if !errors.isEmpty { throw ValidationError(errors) }
        let current = neighbourLists[list.model]?[list.laCode]
        if let current, current.hasSameContent(as: list) { return nil }
        list.version = version
        neighbourLists[list.model, default: [:]][list.laCode] = list
        return (list, current)
    }

    /// Returns the list removed.
    mutating func deleteNeighbours(model: String, laCode: Int) throws(ValidationError) -> NeighbourList {
        guard let removed = neighbourLists[model]?.removeValue(forKey: laCode) else {
            throw ValidationError(field: "la_code", message: "model \(model) has no list for \(laCode)")
        }
        if neighbourLists[model]?.isEmpty == true { neighbourLists[model] = nil }
        return removed
    }

    /// Counts a new row, and indexes a joint return's first row under each of its councils.
    private mutating func counted(_ area: String) {
        figureRowCount += 1
        guard AreaCode.isJoint(area) else { return }
        jointReturnRows[area, default: 0] += 1
        guard jointReturnRows[area] == 1 else { return }
        for member in AreaCode.members(of: area) { SortedIndex.insert(area, into: &jointAreasByCouncil[member, default: []]) }
    }

    // MARK: snapshot load

    /// Adds a row read from a snapshot, already applied once, so no rule is re-checked but
    /// that it is there once.
    mutating func loadFigureRow(_ row: FigureRow) throws(ValidationError) {
        guard figureTable[row.dataset]?[row.year]?[row.area] == nil else {
            throw ValidationError(field: "area", message: "\(row.dataset) \(row.area) \(row.year) appears twice")
        }
        figureTable[row.dataset, default: [:]][row.year, default: [:]][row.area] = row
        counted(row.area)
    }

    mutating func loadNeighbourList(_ list: NeighbourList) throws(ValidationError) {
        guard neighbourLists[list.model]?[list.laCode] == nil else {
            throw ValidationError(field: "la_code", message: "model \(list.model) list of \(list.laCode) appears twice")
        }
        neighbourLists[list.model, default: [:]][list.laCode] = list
    }
}
