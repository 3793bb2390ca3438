/// Bulk loading, for snapshots: records go into their primary maps as they are decoded, and
/// each collection's secondary indexes are built once at the end (sort once, append) instead
/// of one insertion per record, so start-up with a million rows is neither quadratic nor
/// holds a second copy of the rows. The records are trusted to be valid on their own (they
/// come from a checksummed snapshot); what only shows across records (a repeated key, a row
/// of a council that does not exist) is refused.
extension StoreState {
    /// A state holding exactly these records, indexed, at `generation`.
    init(generation: UInt64, committedAt: Timestamp, councils: [Council], inspections: [Inspection], workforce: [WorkforceYear]) throws(ValidationError) {
        self.init()
        self.generation = generation
        self.committedAt = committedAt
        for council in councils { try loadCouncil(council) }
        for inspection in inspections { try loadInspection(inspection) }
        for row in workforce { loadWorkforce([row]) }
        finishLoadingCouncils()
        try finishLoadingInspections()
        try finishLoadingWorkforce()
    }

    mutating func loadCouncil(_ council: Council) throws(ValidationError) {
        guard councilsByCode.updateValue(council, forKey: council.code) == nil else {
            throw ValidationError(field: "code", message: "council \(council.code) appears twice")
        }
    }

    mutating func loadInspection(_ inspection: Inspection) throws(ValidationError) {
        guard inspectionsByID.updateValue(inspection, forKey: inspection.id) == nil else {
            throw ValidationError(field: "id", message: "inspection \(inspection.id) appears twice")
        }
    }

    /// Rows of one council (`rows[0].council`). They arrive together and oldest first in the
    /// store's own snapshots; `finishLoadingWorkforce` sorts any that do not.
    mutating func loadWorkforce(_ rows: [WorkforceYear]) {
        guard let council = rows.first?.council else { return }
        if workforceByCouncil[council] == nil {
            workforceByCouncil[council] = rows
        } else {
            workforceByCouncil[council]!.append(contentsOf: rows)
        }
    }

    mutating func finishLoadingCouncils() {
        councilCodes = councilsByCode.keys.sorted()
        for code in councilCodes {
            let council = councilsByCode[code]!
            for former in council.formerCodes { aliases[former] = code }
            aliases[council.slug] = code
            aliases[String(council.laCode)] = code
            councilsByRegion[council.region, default: []].append(code)
            councilsByKind[council.kind, default: []].append(code)
        }
    }

    /// After the councils: the latest grade of each council is an index over both.
    mutating func finishLoadingInspections() throws(ValidationError) {
        let newest = inspectionsByID.values.sorted(by: Inspection.newestFirst)
        for inspection in newest {
            guard councilsByCode[inspection.council] != nil else {
                throw ValidationError(field: "council", message: "inspection \(inspection.id) belongs to \(inspection.council), which is not a council")
            }
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
    }

    mutating func finishLoadingWorkforce() throws(ValidationError) {
        var count = 0
        for code in workforceByCouncil.keys.sorted() {
            guard councilsByCode[code] != nil else {
                throw ValidationError(field: "council", message: "workforce rows for \(code), which is not a council")
            }
            var rows = workforceByCouncil[code]!
            if !rows.indices.dropFirst().allSatisfy({ rows[$0 - 1].year < rows[$0].year }) {
                rows.sort { $0.year < $1.year }
                if let repeated = rows.indices.dropFirst().first(where: { rows[$0 - 1].year == rows[$0].year }) {
                    throw ValidationError(field: "year", message: "workforce row \(code) \(rows[repeated].year) appears twice")
                }
                workforceByCouncil[code] = rows
            }
            for row in rows { workforceByYear[row.year, default: []].append(code) }
            count += rows.count
        }
        workforceRowCount = count
    }
}
