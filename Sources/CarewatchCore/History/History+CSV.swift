/// The CSV of releases and revisions (`format=csv` on `/v1/releases` and `/v1/revisions`).
public enum HistoryCSV {
    public static func releases(_ releases: [Release]) -> [UInt8] {
        var writer = CSVWriter()
        writer.writeRow(["id", "publisher", "title", "reporting_year", "published", "published_note", "file", "sha256", "format",
                         "version", "imported_at", "created", "updated", "deleted", "revised_figures", "revised_rows"])
        for release in releases {
            let changed = release.changed
            writer.writeRow([release.id, release.metadata.publisher, release.metadata.title, release.metadata.reportingYear.map(String.init),
                             release.metadata.published?.description, release.metadata.publishedNote, release.file.name, release.file.sha256,
                             release.file.format, String(release.version), release.importedAt.description, String(changed.created),
                             String(changed.updated), String(changed.deleted), String(changed.revisedFigures), String(changed.revisedRows)])
        }
        return writer.bytes
    }

    public static func revisions(_ revisions: [Revision], state: StoreState) -> [UInt8] {
        var writer = CSVWriter(reservingCapacity: 160 * (revisions.count + 1))
        writer.writeRow(["seq", "version", "at", "release", "dataset", "area", "area_name", "year", "measure", "old", "new", "made_by", "key_id"])
        for revision in revisions {
            let event = revision.event
            let origin = event.commit.origin
            writer.writeRow([String(event.sequence), String(event.commit.version), event.commit.at.description, origin?.release?.id,
                             revision.dataset, revision.area, state.areaName(of: revision), String(revision.year),
                             revision.change.field, cell(revision.change.old), cell(revision.change.new), origin?.kind.rawValue, origin?.keyID])
        }
        return writer.bytes
    }

    private static func cell(_ value: JSONValue) -> String? {
        switch value {
        case .number(let number): return DecimalText.format(number)
        case .string(let text): return text
        default: return nil
        }
    }
}
