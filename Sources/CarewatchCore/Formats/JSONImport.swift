/// The JSON import document, `{"councils":[...],"inspections":[...],"workforce":[...],
/// "figures":[...],"neighbours":[...]}`: the shape `GET /v1/export` writes. Each record is decoded and validated by the domain's own
/// `init(json:)`; this adds what only the whole document can check (council references,
/// duplicates) and reports every problem with its JSON path (`inspections[3].overall`).
enum JSONImport {
    static let sections: Set<String> = ["councils", "inspections", "workforce", "figures", "neighbours"]

    /// - Parameter keepingTimestamps: read each council's `updated_at` (a restore, which brings
    ///   records back as they were) instead of leaving it to the store to stamp (an import).
    static func parse(_ bytes: [UInt8], existing: ImportContext, keepingTimestamps: Bool = false) throws(ImportError) -> ImportDocument {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ImportError(field: "", message: "malformed JSON: \(error)", isMalformed: true)
        }
        guard let object = root.objectValue else {
            throw ImportError(field: "", message: "the document must be an object with councils, inspections and workforce arrays, not \(root.typeName)",
                              isMalformed: true)
        }
        var issues = IssueCollector()
        for key in object.keys where !sections.contains(key) {
            issues.add(row: nil, field: key, "unknown section (expected councils, inspections, workforce, figures, neighbours)")
        }
        func array(_ key: String) -> [JSONValue] {
            guard let value = object[key] else { return [] }
            guard let items = value.arrayValue else {
                issues.add(row: nil, field: key, "must be an array, not \(value.typeName)")
                return []
            }
            return items
        }
        let councilItems = array("councils")
        let inspectionItems = array("inspections")
        let workforceItems = array("workforce")
        let figureItems = array("figures")
        let neighbourItems = array("neighbours")

        var document = ImportDocument(format: .json)
        var directory = CouncilDirectory(existing.councils)
        var indexOfCode: [String: Int] = [:]
        var indexOfSlug: [String: Int] = [:]
        for (index, item) in councilItems.enumerated() {
            let path = "councils[\(index)]"
            do {
                var council = try Council(json: item)
                if keepingTimestamps, let text = item["updated_at"]?.stringValue {
                    guard let updatedAt = Timestamp(rfc3339: text) else {
                        issues.add(row: nil, field: "\(path).updated_at", "must be an RFC 3339 UTC instant")
                        continue
                    }
                    council.updatedAt = updatedAt
                }
                if let earlier = indexOfCode[council.code] {
                    issues.add(row: nil, field: "\(path).code", "\(council.code) is already councils[\(earlier)]")
                    continue
                }
                if let earlier = indexOfSlug[council.slug] {
                    issues.add(row: nil, field: "\(path).slug", "\(council.slug) is already used by councils[\(earlier)]")
                    continue
                }
                indexOfCode[council.code] = index
                indexOfSlug[council.slug] = index
                document.councils.append(council)
            } catch {
                for field in error.errors { issues.add(row: nil, field: "\(path).\(field.field)", field.message) }
            }
        }
        for council in document.councils { directory.add(council) }

        var ids = InspectionIDAllocator(existing: existing.inspections)
        var indexOfID: [String: Int] = [:]
        for (index, item) in inspectionItems.enumerated() {
            let path = "inspections[\(index)]"
            do {
                var inspection = try Inspection(json: item)
                guard let council = directory.council(key: inspection.council) else {
                    issues.add(row: nil, field: "\(path).council", "no council \(inspection.council)")
                    continue
                }
                inspection.council = council.code
                if inspection.id.isEmpty {
                    inspection.id = ids.assign(inspection)
                } else {
                    ids.reserve(inspection.id, for: inspection)
                }
                if let earlier = indexOfID[inspection.id] {
                    issues.add(row: nil, field: "\(path).id", "\(inspection.id) is already inspections[\(earlier)]")
                    continue
                }
                indexOfID[inspection.id] = index
                document.inspections.append(inspection)
            } catch {
                for field in error.errors { issues.add(row: nil, field: "\(path).\(field.field)", field.message) }
            }
        }

        var indexOfRow: [String: Int] = [:]
        for (index, item) in workforceItems.enumerated() {
            let path = "workforce[\(index)]"
            do {
                var row = try WorkforceYear(json: item)
                guard let council = directory.council(key: row.council) else {
                    issues.add(row: nil, field: "\(path).council", "no council \(row.council)")
                    continue
                }
                row.council = council.code
                let key = "\(row.council)|\(row.year)"
                if let earlier = indexOfRow[key] {
                    issues.add(row: nil, field: "\(path).year", "\(row.council) \(row.year) is already workforce[\(earlier)]")
                    continue
                }
                indexOfRow[key] = index
                document.workforce.append(row)
            } catch {
                for field in error.errors { issues.add(row: nil, field: "\(path).\(field.field)", field.message) }
            }
        }

        var indexOfFigures: [FigureKey: Int] = [:]
        for (index, item) in figureItems.enumerated() {
            let path = "figures[\(index)]"
            do {
                var row = try FigureRow(json: item)
                if row.level == .localAuthority {
                    var codes: [String] = []
                    for member in row.members {
                        if let council = directory.council(key: member) {
                            codes.append(council.code)
                        } else {
                            issues.add(row: nil, field: "\(path).area", "no council \(member)")
                        }
                    }
                    guard codes.count == row.members.count else { continue }
                    row.area = codes.joined(separator: AreaCode.jointSeparator)
                }
                if let earlier = indexOfFigures[row.key] {
                    issues.add(row: nil, field: "\(path).year", "\(row.dataset) \(row.area) \(row.year) is already figures[\(earlier)]")
                    continue
                }
                indexOfFigures[row.key] = index
                document.figures.append(row)
            } catch {
                for field in error.errors { issues.add(row: nil, field: "\(path).\(field.field)", field.message) }
            }
        }

        var indexOfList: [String: Int] = [:]
        for (index, item) in neighbourItems.enumerated() {
            let path = "neighbours[\(index)]"
            do {
                let list = try NeighbourList(json: item)
                let key = "\(list.model)|\(list.laCode)"
                if let earlier = indexOfList[key] {
                    issues.add(row: nil, field: "\(path).la_code", "model \(list.model) list of \(list.laCode) is already neighbours[\(earlier)]")
                    continue
                }
                indexOfList[key] = index
                document.neighbours.append(list)
            } catch {
                for field in error.errors { issues.add(row: nil, field: "\(path).\(field.field)", field.message) }
            }
        }
        try issues.check()
        return document
    }
}
