/// The list resources as CSV (`Accept: text/csv` or `?format=csv`). The columns are the ones
/// the project CSV importer reads, so an exported file can be imported again unchanged;
/// derived columns (`latest_*`, `updated_at`) are accepted there and ignored.
public enum CSVExport {
    public static let councilColumns = ["code", "la_code", "slug", "name", "region", "kind", "former_codes",
                                        "latest_inspection_id", "latest_published", "latest_overall", "updated_at"]
    public static let inspectionColumns = ["id", "council", "framework", "type", "visit_theme", "started", "published", "overall",
                                           "help_and_protection", "children_in_care", "care_leavers", "leadership", "summary",
                                           "report_url", "source"]
    public static let workforceColumns = ProjectCSVImport.workforceColumns

    /// `former_codes` are joined with `;`, as in the seed's councils.csv.
    public static func councils(_ councils: [Council], latest: (Council) -> Inspection? = { _ in nil },
                                lineEnding: CSVWriter.LineEnding = .crlf) -> [UInt8] {
        var writer = CSVWriter(lineEnding: lineEnding, reservingCapacity: 128 * (councils.count + 1))
        writer.writeRow(councilColumns)
        for council in councils {
            let recent = latest(council)
            writer.writeRow([
                council.code, String(council.laCode), council.slug, council.name, council.region.rawValue, council.kind.rawValue,
                council.formerCodes.joined(separator: ";"), recent?.id, recent?.published?.description, recent?.overall?.rawValue,
                council.updatedAt.description,
            ])
        }
        return writer.bytes
    }

    public static func inspections(_ inspections: [Inspection], lineEnding: CSVWriter.LineEnding = .crlf) -> [UInt8] {
        var writer = CSVWriter(lineEnding: lineEnding, reservingCapacity: 256 * (inspections.count + 1))
        writer.writeRow(inspectionColumns)
        for inspection in inspections {
            let judgements = inspection.judgements
            writer.writeRow([
                inspection.id, inspection.council, inspection.framework.rawValue, inspection.type, inspection.visitTheme,
                inspection.started?.description, inspection.published?.description, inspection.overall?.rawValue,
                judgements.helpAndProtection?.rawValue, judgements.childrenInCare?.rawValue, judgements.careLeavers?.rawValue,
                judgements.leadership?.rawValue, inspection.summary, inspection.reportURL, inspection.source,
            ])
        }
        return writer.bytes
    }

    public static func workforce(_ rows: [WorkforceYear], lineEnding: CSVWriter.LineEnding = .crlf) -> [UInt8] {
        var writer = CSVWriter(lineEnding: lineEnding, reservingCapacity: 100 * (rows.count + 1))
        writer.writeRow(workforceColumns)
        let figures = ProjectCSVImport.workforceFigures
        for row in rows {
            var fields: [String?] = [row.council, String(row.year)]
            // A withheld figure's cell holds DfE's symbol, as DfE's own files do.
            for figure in figures { fields.append(DecimalText.format(row[keyPath: figure.keyPath]) ?? row.suppressed[figure.column]) }
            fields.append(row.source)
            writer.writeRow(fields)
        }
        return writer.bytes
    }
}

extension CSVExport {
    public static let figureColumns = ["dataset", "area", "level", "name", "year", "measure", "value", "status", "source"]

    /// Published rows in long form, one line per figure: a withheld one has DfE's symbol in
    /// `status` and an empty `value`.
    public static func figures(_ rows: [FigureRow], lineEnding: CSVWriter.LineEnding = .crlf) -> [UInt8] {
        var writer = CSVWriter(lineEnding: lineEnding, reservingCapacity: 96 * (rows.count * 2 + 1))
        writer.writeRow(figureColumns)
        for row in rows {
            let order = MeasureCatalog.storedMeasureIDs(in: row.dataset)
            for measure in order where row.values[measure] != nil || row.suppressed[measure] != nil {
                writer.writeRow([row.dataset, row.area, row.level.rawValue, row.name, String(row.year), measure,
                                 DecimalText.format(row.values[measure]), row.suppressed[measure], row.source])
            }
        }
        return writer.bytes
    }
}
