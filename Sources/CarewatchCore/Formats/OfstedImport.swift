/// CSV exports of Ofsted's local-authority inspection-outcome sheets (data-formats.md §2–3),
/// read the way PROVENANCE.md describes: each sheet layout is recognised by its header, each
/// row yields the inspections it records, councils are found by GSS code where the sheet has one
/// and by Ofsted's spelling of the name otherwise. Rows for authorities that no longer exist,
/// frameworks the contract does not list, and events already held are skipped and reported.
enum OfstedImport {
    enum Layout: String, CaseIterable {
        /// 2025 `ILACS_inspection_history`: one row per ILACS inspection since 2018.
        case ilacsHistory = "ILACS_inspection_history"
        /// `In-year_inspections` (2025), `Inspections_in_year_2023-24` (2024), `LA_level_in_year_2022-23` (2023).
        case inYear = "in-year inspections"
        /// `Inspections_as_at_31_March` (2025), `Inspections_31_March_2024`, `LA_level_at_31_Mar_2023`.
        case asAt = "inspections as at 31 March"
        /// 2024 `ILACS_inspections_2018-2024`, table 1: first and second ILACS per authority.
        case ilacsWide = "ILACS_inspections_2018-2024"
        /// 2024 `ILACS_inspections_2018-2024`, table 2: authorities that existed before the restructure.
        case ilacsPreRestructure = "ILACS_inspections_2018-2024 (before the restructure)"
        /// 2023 `LA_inspections_2009-2023`, table 1: every framework since 2009.
        case history2009 = "LA_inspections_2009-2023"
        /// 2023 `LA_inspections_2009-2023`, table 11: authorities that existed before the restructure.
        case history2009PreRestructure = "LA_inspections_2009-2023 (before the restructure)"

        /// Tables of authorities that no longer exist. Their names can equal a successor's
        /// ("Dorset" was the old county, not today's Dorset), so no row is matched to a council.
        var isBeforeRestructure: Bool { self == .ilacsPreRestructure || self == .history2009PreRestructure }
    }

    static func layout(of header: CSVHeader) -> Layout? {
        guard header.names.first == "Web link", header.contains("Local authority name") else { return nil }
        if header.contains("Inspection type"), header.contains("Inspection date") { return .ilacsHistory }
        if header.contains("Inspection/Visit type") { return .inYear }
        if header.contains("First ILACS publication date") { return .ilacsWide }
        if header.contains("ILACS framework publication date") && !header.contains("LA Authority Type") { return .ilacsPreRestructure }
        if header.contains("Safeguarding & Looked After Children (SLAC) Inspection publication date") {
            return header.contains("ILACS framework publication date") ? .history2009PreRestructure : .history2009
        }
        if header.contains("Inspection date"), header.contains("Overall effectiveness") { return .asAt }
        return nil
    }

    /// One event a row may hold, described by the columns it is read from. Where Ofsted renamed
    /// a column between releases, every spelling is listed.
    struct EventSpec {
        var label: String
        var framework: Framework?            // nil: from the type column
        var fixedType: String? = nil
        var typeColumn: String? = nil
        var started: String? = nil
        var published: String? = nil
        var overall: [String] = []
        var helpAndProtection: [String] = []
        var childrenInCare: [String] = []
        var careLeavers: [String] = []
        var leadership: [String] = []
        var visitTheme: String? = nil
        /// The column whose emptiness means the row holds no such event.
        var presence: String? = nil
    }

    static let overall = ["Overall effectiveness"]
    static let leaders = ["The impact of leaders on social work practice with children and families", "Impact of leaders"]
    static let helpAndProtection = ["The experiences and progress of children who need help and protection",
                                    "Experiences and progress of children who need help and protection"]
    static let childrenInCare = ["The experiences and progress of children in care", "Experiences and progress of children in care"]
    static let careLeavers = ["The experiences and progress of care leavers", "Experiences and progress of care leavers"]

    static func specs(_ layout: Layout) -> [EventSpec] {
        switch layout {
        case .ilacsHistory:
            return [EventSpec(label: "ILACS", framework: .ilacs, typeColumn: "Inspection type", started: "Inspection date",
                              published: "Publication date", overall: overall, helpAndProtection: helpAndProtection,
                              childrenInCare: childrenInCare, careLeavers: careLeavers, leadership: leaders)]
        case .inYear:
            return [EventSpec(label: "in-year", framework: nil, typeColumn: "Inspection/Visit type", started: "Inspection/Visit date",
                              published: "Publication date", overall: overall, helpAndProtection: helpAndProtection,
                              childrenInCare: childrenInCare, careLeavers: careLeavers, leadership: leaders, visitTheme: "Visit Theme")]
        case .asAt:
            return [EventSpec(label: "latest judgement", framework: .ilacs, started: "Inspection date", published: "Publication date",
                              overall: overall, helpAndProtection: helpAndProtection, childrenInCare: childrenInCare,
                              careLeavers: careLeavers, leadership: leaders)]
        case .ilacsWide:
            return ["First", "Second"].map { nth in
                EventSpec(label: "\(nth) ILACS", framework: .ilacs, typeColumn: "\(nth) ILACS inspection type",
                          published: "\(nth) ILACS publication date", overall: ["\(nth) ILACS overall effectiveness"],
                          helpAndProtection: ["\(nth) ILACS experiences and progress of children who need help and protection"],
                          childrenInCare: ["\(nth) ILACS experiences and progress of children in care"],
                          careLeavers: ["\(nth) ILACS experiences and progress of care leavers"],
                          leadership: ["\(nth) ILACS impact of leaders"], presence: "\(nth) ILACS publication date")
            }
        case .ilacsPreRestructure:
            return [EventSpec(label: "ILACS", framework: .ilacs, typeColumn: "ILACS framework inspection type",
                              published: "ILACS framework publication date", overall: ["ILACS framework overall effectiveness"],
                              helpAndProtection: ["ILACS framework experiences and progress of children who need help and protection"],
                              childrenInCare: ["ILACS framework experiences and progress of children in care and care leavers"],
                              leadership: ["ILACS framework impact of leaders"], presence: "ILACS framework publication date")]
        case .history2009, .history2009PreRestructure:
            // SLAC has no single overall judgement; its two grades map to help and protection and
            // children in care, and each re-inspection is its own record (PROVENANCE.md).
            var specs = [
                EventSpec(label: "SLAC", framework: .safeguardingAndLAC, fixedType: "SLAC inspection",
                          published: "Safeguarding & Looked After Children (SLAC) Inspection publication date",
                          helpAndProtection: ["SLAC Safeguarding Overall effectiveness (OE)"],
                          childrenInCare: ["SLAC Looked After Children Overall Effectiveness (OE)"],
                          presence: "Safeguarding & Looked After Children (SLAC) Inspection publication date"),
                EventSpec(label: "SLAC re-inspection", framework: .safeguardingAndLAC, fixedType: "SLAC re-inspection of safeguarding",
                          published: "SLAC re-inspection of Safeguarding publication date",
                          helpAndProtection: ["SLAC re-inspection Safeguarding OE"],
                          presence: "SLAC re-inspection of Safeguarding publication date"),
                EventSpec(label: "SLAC re-inspection", framework: .safeguardingAndLAC,
                          fixedType: "SLAC re-inspection of services for children looked after",
                          published: "SLAC re-inspection of services for Children Looked After publication date",
                          childrenInCare: ["SLAC re-inspection of services Children Looked After OE"],
                          presence: "SLAC re-inspection of services for Children Looked After publication date"),
            ]
            for (nth, type, dateColumn) in [
                ("First SIF", "First SIF inspection", "Single Inspection of LA Children's Services (SIF) First SIF publication date"),
                ("SIF Re-inspection", "SIF re-inspection", "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date"),
            ] {
                specs.append(EventSpec(
                    label: nth, framework: .sif, fixedType: type, published: dateColumn,
                    overall: ["\(nth) Overall Judgement (OE)"],
                    helpAndProtection: ["\(nth) children who need help and protection"],
                    childrenInCare: ["\(nth) children looked after and achieving permanence"],
                    careLeavers: ["\(nth) CLA Sub: Experiences and progress of care leavers"],
                    leadership: ["\(nth) leadership, management and governance"], presence: dateColumn))
            }
            // Table 1 calls them First/Second ILACS; table 11 (abolished authorities) has one.
            for nth in ["First ILACS framework", "Second ILACS framework", "ILACS framework"] {
                specs.append(EventSpec(
                    label: "ILACS", framework: .ilacs, typeColumn: "\(nth) inspection type", published: "\(nth) publication date",
                    overall: ["\(nth) overall effectiveness"],
                    helpAndProtection: ["\(nth) experiences and progress of children who need help and protection"],
                    childrenInCare: ["\(nth) experiences and progress of children in care and care leavers",
                                     "\(nth) experiences and progress of children in care"],
                    careLeavers: ["\(nth) experiences and progress of care leavers"],
                    leadership: ["\(nth) impact of leaders"], presence: "\(nth) publication date"))
            }
            return specs
        }
    }

    /// Inspections in the 2009–2023 table under frameworks the contract does not list; they are
    /// reported as skipped.
    static let unlistedFrameworks = [
        ("Child Protection Inspections (CPI) publication date", "child protection inspection (CPI)"),
        ("Child Protection Re-Inspection (CPRI) publication date", "child protection re-inspection (CPRI)"),
        ("Targeted Looked After Children (TLAC) inspection publication date", "targeted looked-after children inspection (TLAC)"),
    ]

    /// Ofsted's names for events → contract framework.
    static func framework(ofType type: String) -> Framework? {
        let key = type.lowercased()
        if key.contains("focused visit") { return .focusedVisit }
        if key.contains("monitoring visit") { return .monitoringVisit }
        if key.contains("jtai") || key.contains("joint targeted") { return .jtai }
        if key.contains("ilacs") { return .ilacs }
        if key.contains("sif") || key.contains("single inspection") { return .sif }
        return nil
    }

    static let rowMarker = "Ofsted Local Authority Webpage"

    /// Splits an export into its tables. Every data row of Ofsted's tables shows the text
    /// "Ofsted Local Authority Webpage" in column A, so where the rows carry it, the first
    /// non-blank row without it ends the table (data-formats.md §2b); a later "Web link" row
    /// starts the next table (the sheets with a second table of abolished authorities), and the
    /// title rows in between are not data. Rows without the marker at all form one table.
    static func tables(header: CSVHeader, rows: ArraySlice<CSVRecord>) -> [(CSVHeader, ArraySlice<CSVRecord>)] {
        let marked = rows.first(where: { !$0.isBlank }).map { CSVHeader.normalise($0.fields[0]) == rowMarker } ?? false
        guard marked else { return [(header, rows)] }
        var tables: [(CSVHeader, ArraySlice<CSVRecord>)] = []
        var currentHeader: CSVHeader? = header
        var start = rows.startIndex
        var index = rows.startIndex
        func close(at end: Int) {
            if let currentHeader, start < end { tables.append((currentHeader, rows[start..<end])) }
        }
        while index < rows.endIndex {
            let record = rows[index]
            let first = CSVHeader.normalise(record.fields[0])
            if record.isBlank || first == rowMarker && currentHeader != nil {
                index += 1
                continue
            }
            close(at: index)
            currentHeader = first == "Web link" ? CSVHeader(record.fields) : nil
            start = index + 1
            index += 1
        }
        close(at: rows.endIndex)
        return tables
    }

    static func parse(
        _ records: ArraySlice<CSVRecord>, header: CSVHeader, layout: Layout, directory: CouncilDirectory,
        matcher: inout InspectionMatcher, ids: inout InspectionIDAllocator, sourceName: String?,
        skipped: inout [ImportSkip], issues: inout IssueCollector
    ) -> [Inspection] {
        let specs = specs(layout).filter { spec in spec.presence.map(header.contains) ?? true }
        let codeColumn = header.column("Local authority area code")
        var produced: [Inspection] = []
        for record in records where !record.isBlank {
            var row = Row(record: record, header: header)
            let name = row.cell("Local authority name")
            let code = codeColumn != nil ? row.cell("Local authority area code") : ""
            if record.fields.count != header.names.count {
                issues.absorb(row)
                continue
            }
            // "Not yet inspected" (Cumberland, Westmorland and Furness in 2024) holds no event.
            if layout == .asAt, row.cell("Inspection date").lowercased() == "not yet inspected" {
                skipped.append(ImportSkip(row: record.line, reason: "\(name): not yet inspected"))
                continue
            }
            let council = code.isEmpty ? directory.council(name: name) : directory.council(code: code)

            var events: [Inspection] = []
            for spec in specs {
                if let presence = spec.presence, row.cell(presence).isEmpty { continue }
                if let event = read(spec, &row, council: council?.code ?? "") { events.append(event) }
            }
            if layout.isBeforeRestructure {
                if !events.isEmpty, row.isClean {
                    skipped.append(ImportSkip(row: record.line, reason: "\(name): authority that existed before the restructure; \(events.count) record(s) left out"))
                }
                issues.absorb(row)
                continue
            }
            if layout == .history2009, council != nil {
                for (column, what) in unlistedFrameworks where !row.cell(column).isEmpty {
                    skipped.append(ImportSkip(row: record.line, reason: "\(name): \(what), a framework the contract does not list"))
                }
            }
            guard row.isClean else {
                issues.absorb(row)
                continue
            }
            guard let council else {
                if !events.isEmpty {
                    let who = code.isEmpty ? name : "\(name) (\(code))"
                    skipped.append(ImportSkip(row: record.line, reason: "\(who): no current council (authority no longer exists or is unknown); \(events.count) record(s) left out"))
                }
                continue
            }
            for var event in events {
                event.council = council.code
                if let known = matcher.match(event) {
                    skipped.append(ImportSkip(row: record.line, reason: "\(council.name): \(event.type ?? event.framework.rawValue) \(event.started?.description ?? event.published?.description ?? "") is already held as \(known.id)"))
                    continue
                }
                event.id = ids.assign(event)
                guard issues.add(row: record.line, event.validate()) else { continue }
                matcher.add(event)
                produced.append(event)
            }
        }
        let source = sourceName ?? edition(of: layout, records: produced)
        for index in produced.indices { produced[index].source = source }
        return produced
    }

    private static func read(_ spec: EventSpec, _ row: inout Row, council: String) -> Inspection? {
        func column(_ names: [String]) -> String? { names.first(where: row.header.contains) }
        func grade(_ names: [String]) -> Grade? {
            guard let name = column(names) else { return nil }
            switch OfficialText.grade(row.cell(name)) {
            case .none: return nil
            case .grade(let grade): return grade
            case .invalid:
                row.add(name, "\(row.cell(name)) is not an Ofsted grade")
                return nil
            }
        }
        func date(_ name: String?) -> CalendarDate? {
            guard let name, row.header.contains(name) else { return nil }
            let text = row.cell(name)
            if text.isEmpty { return nil }
            guard let date = OfficialText.date(text) else {
                row.add(name, "\(text) is not a date (dd/mm/yyyy)")
                return nil
            }
            return date
        }
        let type = spec.fixedType ?? spec.typeColumn.flatMap { row.header.contains($0) ? row.cell($0) : nil }.flatMap { $0.isEmpty ? nil : $0 }
        var framework = spec.framework
        if framework == nil {
            guard let type, let mapped = Self.framework(ofType: type) else {
                row.add(spec.typeColumn ?? "", type.map { "\($0) is not a known inspection or visit type" } ?? "must not be empty")
                return nil
            }
            framework = mapped
        }
        let started = date(spec.started)
        let published = date(spec.published)
        if let started, let published, published < started {
            row.add(spec.published ?? "", "publication \(published) is before the start \(started)")
        }
        var theme: String? = nil
        if let visitTheme = spec.visitTheme, row.header.contains(visitTheme) {
            let text = row.cell(visitTheme)
            theme = text.isEmpty ? nil : text
        }
        let judgements = Judgements(
            helpAndProtection: grade(spec.helpAndProtection), childrenInCare: grade(spec.childrenInCare),
            careLeavers: grade(spec.careLeavers), leadership: grade(spec.leadership))
        return Inspection(id: "", council: council, framework: framework!, type: type, visitTheme: theme, started: started,
                          published: published, overall: grade(spec.overall), judgements: judgements)
    }

    /// The release a sheet came from, named as PROVENANCE.md names it, inferred from its dates:
    /// each release covers events up to 31 March and reports published by 30 June of its year.
    /// Used as `source` when the caller does not give the file's name.
    static func edition(of layout: Layout, records: [Inspection]) -> String {
        var year = 0
        for inspection in records {
            if let started = inspection.started {
                year = max(year, started.month <= 3 ? started.year : started.year + 1)
            } else if let published = inspection.published {
                year = max(year, published.month <= 6 ? published.year : published.year + 1)
            }
        }
        switch year {
        case 2025: return "LA_Inspection_Outcomes_as_at_31_March_2025.ods"
        case 2024: return "LA_Inspection_Outcomes_as_at_March_2024.ods"
        case 2023: return "Childrens_social_care_in_England_2023_underlying_data.ods"
        case 0: return "Ofsted \(layout.rawValue)"
        default: return "Ofsted local authority inspection outcomes as at 31 March \(year)"
        }
    }
}
