extension ReleaseMetadata {
    /// The release an import of an official file makes, or nil for the formats that are not
    /// a publisher's (the export document, the project's CSVs). The publisher and title come
    /// from the format and the measure catalogue, the reporting year from the latest year the
    /// file holds; a file carewatch knows by its SHA-256 (`KnownReleases`) brings its
    /// publication date or what is known of it, and `published` (given with the upload)
    /// overrides that.
    public static func describe(_ document: ImportDocument, file: FileIdentity, in state: StoreState, published: CalendarDate? = nil) -> ReleaseMetadata? {
        let publisher: String
        let title: String
        let reportingYear: Int?
        switch document.format {
        case .dfeWorkforceCSV?, .dfeTidyCSV?:
            let datasets = (document.workforce.isEmpty ? [] : ["workforce"]) + document.figures.map(\.dataset)
            guard let first = datasets.first.flatMap(MeasureCatalog.dataset) else { return nil }
            publisher = first.publisher
            title = first.publication
            reportingYear = (document.workforce.map(\.year) + document.figures.map(\.year)).max()
        case .neighboursCSV?:
            publisher = MeasureCatalog.dfe
            title = "Children's services statistical neighbour model"
            reportingYear = document.neighbours.first.flatMap { Int($0.model) }
        case .ofstedCSV?:
            publisher = "Ofsted"
            title = "Local authority inspection outcomes"
            reportingYear = document.inspections.compactMap { ($0.published ?? $0.started)?.year }.max()
        case .json?, .councilsCSV?, .inspectionsCSV?, .workforceCSV?, nil:
            return nil
        }
        let known = KnownReleases.bySHA256[file.sha256]
        let date = published ?? known?.published
        let id = state.releaseID(forFile: file.name, sha256: file.sha256, fallback: "\(title) \(reportingYear.map(String.init) ?? "")")
        return ReleaseMetadata(
            id: id, publisher: publisher, title: reportingYear.map { "\(title), reporting year \($0)" } ?? title,
            reportingYear: reportingYear, published: date,
            publishedNote: date == nil ? known?.note ?? "publication date not given with the import" : nil)
    }
}
