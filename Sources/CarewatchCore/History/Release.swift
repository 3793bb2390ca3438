/// How a publisher describes one release of an official file. carewatch fills it from the
/// file (its format names the publisher and the publication; its latest year is the reporting
/// year) and from what the importer is told (`published=`), or, for the files it embeds and
/// other files it knows by their SHA-256, from `KnownReleases`. A publication date carewatch
/// does not know is null, never guessed; `publishedNote` then says what is known.
public struct ReleaseMetadata: Sendable, Equatable {
    /// Unique among releases: the file's name made into a slug (`csww-indicators-2017-to-2024`),
    /// with the start of its SHA-256 added when another file of that name came first.
    public var id: String
    public var publisher: String
    public var title: String
    /// The latest year the file covers (DfE's `time_period`; a neighbour model's year).
    public var reportingYear: Int?
    /// The publisher's publication date, where known.
    public var published: CalendarDate?
    /// What is known about the date when it is not the publisher's own.
    public var publishedNote: String?

    public init(id: String, publisher: String, title: String, reportingYear: Int?, published: CalendarDate? = nil, publishedNote: String? = nil) {
        self.id = id
        self.publisher = publisher
        self.title = title
        self.reportingYear = reportingYear
        self.published = published
        self.publishedNote = publishedNote
    }

    func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writeFields(into: &writer)
        writer.endObject()
    }

    func writeFields(into writer: inout JSONWriter) {
        writer.field("id", id)
        writer.field("publisher", publisher)
        writer.field("title", title)
        writer.field("reporting_year", reportingYear)
        writer.field("published", published?.description)
        writer.field("published_note", publishedNote)
    }

    init(json: JSONValue) throws(ValidationError) {
        guard let id = json["id"]?.stringValue, let publisher = json["publisher"]?.stringValue, let title = json["title"]?.stringValue else {
            throw ValidationError(field: "origin.release", message: "lacks id, publisher or title")
        }
        self.init(id: id, publisher: publisher, title: title, reportingYear: json["reporting_year"]?.intValue,
                  published: json["published"]?.stringValue.flatMap { CalendarDate(iso: $0) },
                  publishedNote: json["published_note"]?.stringValue)
    }
}

/// An official file as carewatch imported it: the publisher's description, the file's
/// identity, when it was imported (the write's version), and what it changed there.
public struct Release: Sendable, Equatable {
    public var metadata: ReleaseMetadata
    public var file: FileIdentity
    /// The store version (journal sequence) of the import.
    public var version: UInt64
    public var importedAt: Timestamp
    public var changed: ReleaseChanges

    public var id: String { metadata.id }
}

/// What one import changed: records new, replaced or removed, and how many published
/// figures it revised in rows that were already held (DfE's own revisions, when the file is
/// a later release of the same publication).
public struct ReleaseChanges: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var deleted = 0
    /// Figures whose value or symbol changed in rows held before.
    public var revisedFigures = 0
    /// Rows with at least one revised figure.
    public var revisedRows = 0

    init(_ events: some Sequence<HistoryEvent>) {
        for event in events {
            switch event.action {
            case .created: created += 1
            case .deleted: deleted += 1
            case .updated:
                updated += 1
                let figures = event.fields.count { event.key.isFigure($0.field) }
                revisedFigures += figures
                if figures > 0 { revisedRows += 1 }
            }
        }
    }

    init(created: Int, updated: Int, deleted: Int, revisedFigures: Int, revisedRows: Int) {
        self.created = created
        self.updated = updated
        self.deleted = deleted
        self.revisedFigures = revisedFigures
        self.revisedRows = revisedRows
    }
}

extension Release {
    /// The API's shape (`GET /v1/releases`).
    public func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        metadata.writeFields(into: &writer)
        writer.key("file")
        file.writeJSON(into: &writer)
        writer.field("version", Int(version))
        writer.field("imported_at", importedAt.description)
        writer.key("changed")
        writer.beginObject()
        writer.field("created", changed.created)
        writer.field("updated", changed.updated)
        writer.field("deleted", changed.deleted)
        writer.field("revised_figures", changed.revisedFigures)
        writer.field("revised_rows", changed.revisedRows)
        writer.endObject()
        writer.endObject()
    }

    func writeStorageJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("metadata")
        metadata.writeJSON(into: &writer)
        writer.key("file")
        file.writeJSON(into: &writer)
        writer.key("version")
        writer.value(version)
        writer.field("imported_at", Int(importedAt.secondsSince1970))
        writer.key("changed")
        writer.beginArray()
        for count in [changed.created, changed.updated, changed.deleted, changed.revisedFigures, changed.revisedRows] { writer.value(count) }
        writer.endArray()
        writer.endObject()
    }

    init(storage json: JSONValue) throws(ValidationError) {
        guard let metadata = json["metadata"], let file = json["file"], let version = json["version"]?.intValue, version > 0,
              let importedAt = json["imported_at"]?.intValue,
              let counts = json["changed"]?.arrayValue?.compactMap(\.intValue), counts.count == 5 else {
            throw ValidationError(field: "releases", message: "a release lacks metadata, file, version, imported_at or changed")
        }
        self.init(metadata: try ReleaseMetadata(json: metadata), file: try FileIdentity(json: file), version: UInt64(version),
                  importedAt: Timestamp(secondsSince1970: Int64(importedAt)),
                  changed: ReleaseChanges(created: counts[0], updated: counts[1], deleted: counts[2], revisedFigures: counts[3], revisedRows: counts[4]))
    }
}
