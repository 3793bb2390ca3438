/// DfE's children's services statistical neighbour files, in both published layouts:
///
/// - 2025 (`sn_model_2025_wide.csv`): `old_la_code, la_name, …, SN_1, SN_1P, …, SN_10, SN_10P`;
/// - 2021 (`New_Statistical_Neighbour_Groupings_April_2021.csv`): `LA num, LA Name, LA number,
///   …, SN1, SNP, SN2, SNP, …` (every closeness column is called `SNP`, so columns are read by
///   position), with blank rows and an "Old SNs:" heading above the lists of authorities that
///   no longer exist.
///
/// Every list is kept as published, abolished authorities included; the file does not say
/// which model it is, so the caller does (`model`, e.g. from the file name).
enum NeighbourImport {
    struct Layout {
        var subject: Int
        var name: Int?
        /// Column of each rank's la_code and of its closeness band.
        var ranks: [(code: Int, closeness: Int?)]
    }

    static func layout(of header: CSVHeader) -> Layout? {
        let names = header.names
        func index(_ name: String) -> Int? { names.firstIndex(of: name) }
        if let subject = index("old_la_code"), index("SN_1") != nil {
            var ranks: [(Int, Int?)] = []
            var rank = 1
            while let code = index("SN_\(rank)") {
                ranks.append((code, index("SN_\(rank)P")))
                rank += 1
            }
            return Layout(subject: subject, name: index("la_name"), ranks: ranks)
        }
        if let subject = index("LA number"), index("SN1") != nil {
            var ranks: [(Int, Int?)] = []
            var rank = 1
            while let code = index("SN\(rank)") {
                let next = code + 1
                ranks.append((code, next < names.count && names[next] == "SNP" ? next : nil))
                rank += 1
            }
            return Layout(subject: subject, name: index("LA Name"), ranks: ranks)
        }
        return nil
    }

    /// The model a file name names: its four-digit year (`sn_model_2025_wide.csv` → 2025).
    static func model(fromFileName name: String?) -> String? {
        guard let name else { return nil }
        let bytes = Array(name.utf8)
        var index = 0
        while index + 4 <= bytes.count {
            let window = bytes[index..<(index + 4)]
            let before = index == 0 ? nil : bytes[index - 1]
            let after = index + 4 < bytes.count ? bytes[index + 4] : nil
            if window.allSatisfy({ $0 &- 48 < 10 }), window.first == UInt8(ascii: "2") || window.first == UInt8(ascii: "1"),
               before.map({ $0 &- 48 >= 10 }) ?? true, after.map({ $0 &- 48 >= 10 }) ?? true {
                return String(decoding: window, as: UTF8.self)
            }
            index += 1
        }
        return nil
    }

    static func parse(
        _ records: ArraySlice<CSVRecord>, header: CSVHeader, layout: Layout, model: String?, sourceName: String?,
        skipped: inout [ImportSkip], issues: inout IssueCollector
    ) -> [NeighbourList] {
        guard let model = model ?? self.model(fromFileName: sourceName) else {
            issues.add(row: nil, field: "model", ImportIssue.unnamedNeighbourModel)
            return []
        }
        guard NeighbourList.isModelID(model) else {
            issues.add(row: nil, field: "model", "must be 1 to 20 lowercase letters, digits or hyphens (a model's year, e.g. 2025)")
            return []
        }
        var lists: [NeighbourList] = []
        var lineOf: [Int: Int] = [:]
        for record in records where !record.isBlank {
            func cell(_ index: Int) -> String { index < record.fields.count ? CSVHeader.normalise(record.fields[index]) : "" }
            let subjectText = cell(layout.subject)
            guard !subjectText.isEmpty else {
                let text = record.fields.map(CSVHeader.normalise).filter { !$0.isEmpty }.joined(separator: " ")
                skipped.append(ImportSkip(row: record.line, reason: "no council number in \(layout.subject + 1 <= header.names.count ? header.names[layout.subject] : "the subject column") (a heading inside the file: \(text))"))
                continue
            }
            guard let laCode = Int(subjectText) else {
                issues.add(row: record.line, field: header.names[layout.subject], "\(subjectText) is not a DfE council number")
                continue
            }
            if let earlier = lineOf[laCode] {
                issues.add(row: record.line, field: header.names[layout.subject], "\(laCode) already has its list on row \(earlier)")
                continue
            }
            lineOf[laCode] = record.line
            var list = NeighbourList(model: model, laCode: laCode, name: layout.name.map(cell).flatMap { $0.isEmpty ? nil : $0 },
                                     neighbours: [], source: sourceName)
            var ended = false
            for (rank, columns) in layout.ranks.enumerated() {
                let text = cell(columns.code)
                if text.isEmpty {
                    ended = true
                    continue
                }
                guard !ended, let code = Int(text) else {
                    issues.add(row: record.line, field: header.names[columns.code],
                               ended ? "rank \(rank + 1) follows an empty rank" : "\(text) is not a DfE council number")
                    continue
                }
                list.neighbours.append(.init(laCode: code, closeness: columns.closeness.map(cell).flatMap(NeighbourList.normaliseCloseness)))
            }
            guard issues.add(row: record.line, list.validate()) else { continue }
            lists.append(list)
        }
        return lists
    }
}
