/// Each kind of record as a flat list of named values, in a fixed order: what history
/// compares to say which fields a write changed. Identity fields (the key) and the store's
/// own bookkeeping (`version`, `updated_at`) are left out: they are not what changed.
///
/// A figure's value is its number, DfE's symbol as a string when withheld, or null, so a
/// number becoming a symbol and back is a change like any other.
enum RecordFields {
    typealias Fields = [(name: String, value: JSONValue)]

    /// The fields whose values differ, in field order (a field only one side has counts as
    /// null on the other).
    static func diff(_ old: Fields, _ new: Fields) -> [FieldChange] {
        var changes: [FieldChange] = []
        if old.count == new.count, zip(old, new).allSatisfy({ $0.name == $1.name }) {
            for index in old.indices where old[index].value != new[index].value {
                changes.append(FieldChange(field: old[index].name, old: old[index].value, new: new[index].value))
            }
            return changes
        }
        var seen = Set<String>()
        for (name, value) in new {
            seen.insert(name)
            let before = old.first { $0.name == name }?.value ?? .null
            if before != value { changes.append(FieldChange(field: name, old: before, new: value)) }
        }
        for (name, value) in old where !seen.contains(name) && !value.isNull {
            changes.append(FieldChange(field: name, old: value, new: .null))
        }
        return changes
    }

    /// A record that went away: every value it held, becoming null.
    static func removal(_ fields: Fields) -> [FieldChange] {
        fields.compactMap { $0.value.isNull ? nil : FieldChange(field: $0.name, old: $0.value, new: .null) }
    }

    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
}

extension WorkforceYear {
    /// A figure as history shows it: the number, DfE's symbol, or null.
    func historyValue(_ field: String, _ value: Double?) -> JSONValue {
        if let value { return .number(value) }
        if let symbol = suppressed[field] { return .string(symbol) }
        return .null
    }

    /// The fields that differ from `old`: the same list as
    /// `RecordFields.diff(old.historyFields, historyFields)`, but compared in place, since a
    /// PUT of a row runs this on every write: an equal number (a number shows as itself,
    /// whatever the symbols) is passed over without building its history values.
    func historyChanges(from old: WorkforceYear) -> [FieldChange] {
        var changes: [FieldChange] = []
        func compare(_ field: String, _ before: Double?, _ after: Double?) {
            if let before, let after, before == after { return }
            let oldValue = old.historyValue(field, before), newValue = historyValue(field, after)
            if oldValue != newValue { changes.append(FieldChange(field: field, old: oldValue, new: newValue)) }
        }
        compare("employed_fte", old.employedFTE, employedFTE)
        compare("agency_fte", old.agencyFTE, agencyFTE)
        compare("agency_rate", old.agencyRate, agencyRate)
        compare("vacancy_fte", old.vacancyFTE, vacancyFTE)
        compare("vacancy_rate", old.vacancyRate, vacancyRate)
        compare("leavers_fte", old.leaversFTE, leaversFTE)
        compare("turnover_rate", old.turnoverRate, turnoverRate)
        compare("caseload", old.caseload, caseload)
        compare("absence_rate", old.absenceRate, absenceRate)
        compare("asye_share", old.asyeShare, asyeShare)
        if old.source != source { changes.append(FieldChange(field: "source", old: RecordFields.text(old.source), new: RecordFields.text(source))) }
        return changes
    }

    var historyFields: RecordFields.Fields {
        [("employed_fte", historyValue("employed_fte", employedFTE)), ("agency_fte", historyValue("agency_fte", agencyFTE)),
         ("agency_rate", historyValue("agency_rate", agencyRate)), ("vacancy_fte", historyValue("vacancy_fte", vacancyFTE)),
         ("vacancy_rate", historyValue("vacancy_rate", vacancyRate)), ("leavers_fte", historyValue("leavers_fte", leaversFTE)),
         ("turnover_rate", historyValue("turnover_rate", turnoverRate)), ("caseload", historyValue("caseload", caseload)),
         ("absence_rate", historyValue("absence_rate", absenceRate)), ("asye_share", historyValue("asye_share", asyeShare)),
         ("source", RecordFields.text(source))]
    }
}

extension FigureRow {
    /// The name, every measure the dataset stores (number, symbol or null) in catalogue
    /// order, and the source.
    var historyFields: RecordFields.Fields {
        var fields: RecordFields.Fields = [("name", RecordFields.text(name))]
        for measure in MeasureCatalog.storedMeasureIDs(in: dataset) {
            switch cell(measure) {
            case .number(let value): fields.append((measure, .number(value)))
            case .symbol(let symbol): fields.append((measure, .string(symbol)))
            case .empty: fields.append((measure, .null))
            }
        }
        fields.append(("source", RecordFields.text(source)))
        return fields
    }
}

extension Council {
    var historyFields: RecordFields.Fields {
        [("la_code", .number(Double(laCode))), ("slug", .string(slug)), ("name", .string(name)), ("region", .string(region.rawValue)),
         ("kind", .string(kind.rawValue)), ("former_codes", .array(formerCodes.map(JSONValue.string)))]
    }
}

extension Inspection {
    var historyFields: RecordFields.Fields {
        [("council", .string(council)), ("framework", .string(framework.rawValue)), ("type", RecordFields.text(type)),
         ("visit_theme", RecordFields.text(visitTheme)), ("started", RecordFields.text(started?.description)),
         ("published", RecordFields.text(published?.description)), ("overall", RecordFields.text(overall?.rawValue)),
         ("judgements.help_and_protection", RecordFields.text(judgements.helpAndProtection?.rawValue)),
         ("judgements.children_in_care", RecordFields.text(judgements.childrenInCare?.rawValue)),
         ("judgements.care_leavers", RecordFields.text(judgements.careLeavers?.rawValue)),
         ("judgements.leadership", RecordFields.text(judgements.leadership?.rawValue)),
         ("summary", RecordFields.text(summary)), ("report_url", RecordFields.text(reportURL)), ("source", RecordFields.text(source))]
    }
}

extension NeighbourList {
    var historyFields: RecordFields.Fields {
        let entries = neighbours.map { entry -> JSONValue in
            .object(JSONObject([("la_code", .number(Double(entry.laCode))), ("closeness", RecordFields.text(entry.closeness))]))
        }
        return [("name", RecordFields.text(name)), ("neighbours", .array(entries)), ("source", RecordFields.text(source))]
    }
}

extension StoreState {
    /// The record's fields as held now, or nil when the state does not hold it.
    func historyFields(of key: RecordKey) -> RecordFields.Fields? {
        switch key {
        case .council(let code): return councilsByCode[code]?.historyFields
        case .inspection(let id, _): return inspectionsByID[id]?.historyFields
        case .workforce(let council, let year): return workforce(council: council, year: year)?.historyFields
        case .figures(let figureKey): return figures(dataset: figureKey.dataset, area: figureKey.area, year: figureKey.year)?.historyFields
        case .neighbours(let model, let laCode): return neighbourList(model: model, laCode: laCode)?.historyFields
        }
    }
}
