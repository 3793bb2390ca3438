extension StoreState {
    /// Builds a state with all indexes in one pass per collection (sort once, append),
    /// instead of one insertion per record: start-up from a snapshot with a million rows
    /// must not be quadratic. The records are trusted: they come from a checksummed snapshot.
    init(generation: UInt64, committedAt: Timestamp, councils: [Council], inspections: [Inspection], workforce: [WorkforceYear]) {
        self.init()
        self.generation = generation
        self.committedAt = committedAt
        for council in councils.sorted(by: { $0.code < $1.code }) {
            councilsByCode[council.code] = council
            councilCodes.append(council.code)
            for former in council.formerCodes { aliases[former] = council.code }
            aliases[council.slug] = council.code
            aliases[String(council.laCode)] = council.code
            councilsByRegion[council.region, default: []].append(council.code)
            councilsByKind[council.kind, default: []].append(council.code)
        }
        let newest = inspections.sorted(by: Inspection.newestFirst)
        inspectionsByID.reserveCapacity(newest.count)
        for inspection in newest {
            inspectionsByID[inspection.id] = inspection
            inspectionsByCouncil[inspection.council, default: []].append(inspection.id)
            inspectionsByFramework[inspection.framework, default: []].append(inspection.id)
            if latestInspectionID[inspection.council] == nil, let grade = inspection.overall {
                latestInspectionID[inspection.council] = inspection.id
                latestGrades[inspection.council] = grade
            }
        }
        inspectionsByPublished = newest.filter { $0.published != nil }
            .sorted { $0.published! != $1.published! ? $0.published! < $1.published! : $0.id < $1.id }.map(\.id)
        for code in councilCodes {
            if let grade = latestGrades[code] { councilsByLatestGrade[grade, default: []].append(code) }
        }
        let rows = workforce.sorted { $0.council != $1.council ? $0.council < $1.council : $0.year < $1.year }
        for row in rows {
            workforceByCouncil[row.council, default: []].append(row)
            workforceByYear[row.year, default: []].append(row.council)
        }
        workforceRowCount = rows.count
    }
}
