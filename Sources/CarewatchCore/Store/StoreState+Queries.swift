extension StoreState {
    /// Councils matching the filters, through the region/kind/latest-grade indexes.
    public func councils(_ query: CouncilQuery) throws(QueryError) -> Page<Council> {
        let sort = try Paginator.validateSort(query.sort, allowed: CouncilQuery.sortFields, default: CouncilQuery.defaultSort)
        var codeLists: [[String]] = []
        if let region = query.region { codeLists.append(councilsByRegion[region] ?? []) }
        if let kind = query.kind { codeLists.append(councilsByKind[kind] ?? []) }
        if let rating = query.rating { codeLists.append(councilsByLatestGrade[rating] ?? []) }
        var codes = codeLists.min { $0.count < $1.count } ?? councilCodes
        if codeLists.count > 1 {
            let sets = codeLists.map(Set.init)
            codes = codes.filter { code in sets.allSatisfy { $0.contains(code) } }
        }
        var candidates = codes.compactMap { councilsByCode[$0] }
        if let q = query.q?.lowercased(), !q.isEmpty {
            candidates = candidates.filter { $0.name.lowercased().contains(q) }
        }
        let kind: SortKind = ["la_code", "rating", "updated_at"].contains(sort.field) ? .int : .string
        return try Paginator.page(candidates, list: "councils", sort: sort, kind: kind, limit: query.limit, cursor: query.cursor,
                                  value: { council in
                                      switch sort.field {
                                      case "name": return .string(council.name)
                                      case "la_code": return .int(council.laCode)
                                      case "slug": return .string(council.slug)
                                      case "region": return .string(council.region.rawValue)
                                      case "kind": return .string(council.kind.rawValue)
                                      case "rating": return latestGrades[council.code].map { .int($0.rank) } ?? .null
                                      case "updated_at": return .int(Int(council.updatedAt.secondsSince1970))
                                      default: return .string(council.code)
                                      }
                                  }, id: \.code)
    }

    /// Inspections matching the filters: starts from the most selective index (council,
    /// framework or the publication-date range) and checks the rest per record.
    public func inspections(_ query: InspectionQuery) throws(QueryError) -> Page<Inspection> {
        let sort = try Paginator.validateSort(query.sort, allowed: InspectionQuery.sortFields, default: InspectionQuery.defaultSort)
        if let from = query.publishedFrom, let to = query.publishedTo, to < from {
            throw QueryError(parameter: "published_to", message: "must not be before published_from")
        }
        var ids: [String]
        if let key = query.council {
            ids = council(named: key).map { inspectionsByCouncil[$0.code] ?? [] } ?? []
        } else if let framework = query.framework {
            ids = inspectionsByFramework[framework] ?? []
        } else if query.publishedFrom != nil || query.publishedTo != nil {
            ids = publishedRange(from: query.publishedFrom, to: query.publishedTo)
        } else {
            ids = Array(inspectionsByID.keys)
        }
        let candidates = ids.compactMap { inspectionsByID[$0] }.filter { inspection in
            if let framework = query.framework, inspection.framework != framework { return false }
            if let overall = query.overall, inspection.overall != overall { return false }
            if let from = query.publishedFrom { guard let published = inspection.published, published >= from else { return false } }
            if let to = query.publishedTo { guard let published = inspection.published, published <= to else { return false } }
            return true
        }
        return try Paginator.page(candidates, list: "inspections", sort: sort, kind: sort.field == "overall" ? .int : .string, limit: query.limit, cursor: query.cursor,
                                  value: { inspection in
                                      switch sort.field {
                                      case "started": return inspection.started.map { .string($0.description) } ?? .null
                                      case "council": return .string(inspection.council)
                                      case "framework": return .string(inspection.framework.rawValue)
                                      case "overall": return inspection.overall.map { .int($0.rank) } ?? .null
                                      case "id": return .string(inspection.id)
                                      default: return inspection.published.map { .string($0.description) } ?? .null
                                      }
                                  }, id: \.id)
    }

    private func publishedRange(from: CalendarDate?, to: CalendarDate?) -> [String] {
        let dates = inspectionsByPublished
        func firstIndex(where predicate: (CalendarDate) -> Bool) -> Int {
            var low = 0, high = dates.count
            while low < high {
                let mid = (low + high) / 2
                if predicate(inspectionsByID[dates[mid]]!.published!) { high = mid } else { low = mid + 1 }
            }
            return low
        }
        let start = from.map { from in firstIndex { $0 >= from } } ?? 0
        let end = to.map { to in firstIndex { $0 > to } } ?? dates.count
        return start < end ? Array(dates[start..<end]) : []
    }

    /// Workforce rows by year (index), region (through the council region index) or council.
    public func workforce(_ query: WorkforceQuery) throws(QueryError) -> Page<WorkforceYear> {
        let sort = try Paginator.validateSort(query.sort, allowed: WorkforceQuery.sortFields, default: WorkforceQuery.defaultSort)
        var codes: [String]
        if let key = query.council {
            codes = council(named: key).map { [$0.code] } ?? []
        } else if let year = query.year {
            codes = workforceByYear[year] ?? []
        } else if let region = query.region {
            codes = councilsByRegion[region] ?? []
        } else {
            codes = Array(workforceByCouncil.keys)
        }
        if let region = query.region, query.council != nil || query.year != nil {
            let inRegion = Set(councilsByRegion[region] ?? [])
            codes = codes.filter(inRegion.contains)
        }
        var candidates: [WorkforceYear] = []
        for code in codes {
            guard let rows = workforceByCouncil[code] else { continue }
            if let year = query.year {
                if let row = rows.first(where: { $0.year == year }) { candidates.append(row) }
            } else if query.latestOnly {
                if let row = rows.last { candidates.append(row) }
            } else {
                candidates += rows
            }
        }
        let kind: SortKind = sort.field == "year" ? .int : (sort.field == "council" ? .string : .double)
        return try Paginator.page(candidates, list: "workforce", sort: sort, kind: kind, limit: query.limit, cursor: query.cursor,
                                  value: { row in
                                      switch sort.field {
                                      case "council": return .string(row.council)
                                      case "year": return .int(row.year)
                                      default: return row.figures.first { $0.field == sort.field }?.value.map { .double($0) } ?? .null
                                      }
                                  }, id: { $0.council + ":" + String($0.year) })
    }
}
