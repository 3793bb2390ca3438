/// What the history answers: releases, the versions of one record or one council, and the
/// revisions of published figures. Everything is read from the state's own `history`, so an
/// answer is as of the state it was asked of.
extension StoreState {
    // MARK: releases

    /// Every release imported, in the order of import.
    public func releases() -> [Release] { releaseIDs.map { releasesByID[$0]! } }

    public func release(id: String) -> Release? { releasesByID[id] }

    /// Releases in the order imported, a page at a time.
    public func releases(limit: Int, cursor: String?) throws(QueryError) -> Page<Release> {
        try Paginator.page(releases(), list: "releases", sortable: false, sort: SortKey(field: "version"), kind: .int, limit: limit, cursor: cursor,
                           value: { .int(Int($0.version)) }, id: \.id)
    }

    /// A release's id is its file's name made into a slug; a different file of the same name
    /// adds the start of its SHA-256; the same file imported again (under any name) is the
    /// same release.
    public func releaseID(forFile name: String?, sha256: String, fallback: String) -> String {
        if let same = releaseIDs.first(where: { releasesByID[$0]?.file.sha256 == sha256 }) { return same }
        let base = ReleaseMetadata.slug(name ?? fallback)
        for candidate in [base, "\(base)-\(sha256.prefix(12))"] {
            guard let existing = releasesByID[candidate] else { return candidate }
            if existing.file.sha256 == sha256 { return candidate }
        }
        return "\(base)-\(sha256)"
    }

    /// An import of a release that changed something: the release is recorded the first
    /// time its file is imported (a later import of the same file is attributed to it).
    mutating func recordRelease(_ origin: Origin, commit: HistoryCommit, changes: [PendingChange]) {
        guard origin.kind == .release, let metadata = origin.release, let file = origin.file, releasesByID[metadata.id] == nil else { return }
        let events = changes.map { HistoryEvent(sequence: 0, commit: commit, key: $0.key, action: $0.action, fields: $0.fields) }
        releasesByID[metadata.id] = Release(metadata: metadata, file: file, version: commit.version, importedAt: commit.at, changed: ReleaseChanges(events))
        releaseIDs.append(metadata.id)
    }

    mutating func loadRelease(_ release: Release) throws(ValidationError) {
        guard releasesByID[release.id] == nil else { throw ValidationError(field: "releases", message: "release \(release.id) appears twice") }
        releasesByID[release.id] = release
        releaseIDs.append(release.id)
    }

    // MARK: one record

    /// Each version of one record that history still holds, oldest first: when, why and which
    /// fields changed. A version that created the record lists its first values (worked back
    /// from the record as held now, or as it was when deleted).
    public func versions(of key: RecordKey) -> [RecordVersion] {
        var events: [HistoryEvent] = []
        history.view().forEach { event in
            if event.key.isSameRecord(as: key) { events.append(event) }
            return true
        }
        guard !events.isEmpty else { return [] }
        // Walk back from the newest state of the record, undoing each change, to learn the
        // values each creation set.
        var names = historyFields(of: key)?.map(\.name) ?? []
        var values: [String: JSONValue] = Dictionary(historyFields(of: key)?.map { ($0.name, $0.value) } ?? [], uniquingKeysWith: { a, _ in a })
        var versions: [RecordVersion] = []
        for event in events.reversed() {
            var fields = event.fields
            switch event.action {
            case .updated:
                for change in event.fields {
                    if !names.contains(change.field) { names.append(change.field) }
                    values[change.field] = change.old
                }
            case .deleted:
                names = event.fields.map(\.field)
                values = Dictionary(event.fields.map { ($0.field, $0.old) }, uniquingKeysWith: { a, _ in a })
            case .created:
                fields = names.compactMap { name in
                    guard let value = values[name], !value.isNull else { return nil }
                    return FieldChange(field: name, old: .null, new: value)
                }
                values = [:]
            }
            versions.append(RecordVersion(event: event, fields: fields))
        }
        return versions.reversed()
    }

    /// The council of an inspection that history holds, even one since deleted.
    public func councilOfInspection(inHistory id: String) -> String? {
        var council: String?
        history.view().forEachNewestFirst { event in
            if case .inspection(id, let owner) = event.key { council = owner }
            return council == nil
        }
        return council
    }

    /// The versions of one record, newest first, a page at a time.
    public func versions(of key: RecordKey, limit: Int, cursor: String?) throws(QueryError) -> Page<RecordVersion> {
        try Paginator.page(versions(of: key), list: "history of \(key.cursorScope)", sortable: false, sort: SortKey(field: "version", descending: true), kind: .int, limit: limit, cursor: cursor,
                           value: { .int(Int($0.event.sequence)) }, id: { String($0.event.sequence) })
    }

    /// Whether the state holds the record now.
    public func holds(_ key: RecordKey) -> Bool { historyFields(of: key) != nil }

    /// Whether history holds any change of the record (a record deleted since has some).
    public func hasHistory(of key: RecordKey) -> Bool {
        var found = false
        history.view().forEachNewestFirst { event in
            found = event.key.isSameRecord(as: key)
            return !found
        }
        return found
    }

    // MARK: one council

    /// The versions (writes) that changed the council or anything of its own (inspections,
    /// workforce rows, published rows incl. joint returns, its neighbour lists), newest first,
    /// each with the changes it made there.
    public func councilVersions(_ council: Council) -> [CouncilVersion] {
        var versions: [CouncilVersion] = []
        history.view().forEachNewestFirst { event in
            let belongs: Bool
            if case .neighbours(_, let laCode) = event.key { belongs = laCode == council.laCode } else { belongs = event.key.councils.contains(council.code) }
            guard belongs else { return true }
            if versions.last?.commit !== event.commit { versions.append(CouncilVersion(commit: event.commit, events: [])) }
            versions[versions.count - 1].events.append(event)
            return true
        }
        for index in versions.indices { versions[index].events.reverse() }
        return versions
    }

    /// A council's versions, newest first, a page at a time.
    public func councilVersions(_ council: Council, limit: Int, cursor: String?) throws(QueryError) -> Page<CouncilVersion> {
        try Paginator.page(councilVersions(council), list: "history of council \(council.code)", sortable: false, sort: SortKey(field: "version", descending: true), kind: .int,
                           limit: limit, cursor: cursor, value: { .int(Int($0.commit.version)) }, id: { String($0.commit.version) })
    }

    // MARK: revisions

    /// Revisions oldest first, a page at a time (the revisions of one change in field order).
    public func revisions(_ query: RevisionQuery, limit: Int, cursor: String?) throws(QueryError) -> Page<Revision> {
        try Paginator.page(revisions(query), list: "revisions", sortable: false, sort: SortKey(field: "seq"), kind: .int, limit: limit, cursor: cursor,
                           value: { .int(Int($0.event.sequence)) }, id: { revision in
                               // Ids compare as text: four digits keep the field order.
                               let digits = String(revision.index)
                               return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
                           })
    }

    /// The name of a revision's area as held now: the row's own (England, a region, a joint
    /// return), else the council's.
    public func areaName(of revision: Revision) -> String? {
        if case .figures(let key) = revision.event.key, let name = figures(dataset: key.dataset, area: key.area, year: key.year)?.name {
            return name
        }
        return council(named: revision.area)?.name
    }

    /// Changes to published figures in rows that were held before (a number revised, a number
    /// becoming a symbol and back), oldest first.
    public func revisions(_ query: RevisionQuery) -> [Revision] {
        var revisions: [Revision] = []
        history.view().forEach(after: query.since ?? 0) { event in
            guard event.action == .updated else { return true }
            switch event.key {
            case .workforce, .figures: break
            default: return true
            }
            if let council = query.council, !event.key.councils.contains(council) { return true }
            if let release = query.release, event.commit.origin?.release?.id != release { return true }
            for (index, change) in event.fields.enumerated() where event.key.isFigure(change.field) {
                if let measure = query.measure, !Revision.matches(event.key, change.field, measure) { continue }
                revisions.append(Revision(event: event, index: index))
            }
            return true
        }
        return revisions
    }
}

/// One version of one record.
public struct RecordVersion: Sendable {
    public let event: HistoryEvent
    /// The changed fields (for a creation, its first values).
    public let fields: [FieldChange]
}

/// One write, as it touched one council's records.
public struct CouncilVersion: Sendable {
    public let commit: HistoryCommit
    public var events: [HistoryEvent]
}

/// One revised figure.
public struct Revision: Sendable {
    public let event: HistoryEvent
    /// Position of the change in the event's fields.
    public let index: Int

    public var change: FieldChange { event.fields[index] }

    /// Whether the field of a row of `key` is the catalogue measure `measure`.
    static func matches(_ key: RecordKey, _ field: String, _ measure: Measure) -> Bool {
        guard field == measure.id else { return false }
        switch key {
        case .workforce: return measure.dataset == "workforce"
        case .figures(let figureKey): return measure.dataset == figureKey.dataset
        default: return false
        }
    }

    /// The dataset and area of the row: a workforce row is the workforce dataset's row of its council.
    public var dataset: String {
        if case .figures(let key) = event.key { return key.dataset }
        return "workforce"
    }

    public var area: String {
        switch event.key {
        case .figures(let key): return key.area
        case .workforce(let council, _): return council
        default: return ""
        }
    }

    public var year: Int {
        switch event.key {
        case .figures(let key): return key.year
        case .workforce(_, let year): return year
        default: return 0
        }
    }
}

/// Filters of `GET /v1/revisions`.
public struct RevisionQuery: Sendable {
    /// A council's code: its own rows and the joint returns it is part of.
    public var council: String?
    public var measure: Measure?
    public var release: String?
    /// Only revisions made by changes after this sequence.
    public var since: UInt64?

    public init(council: String? = nil, measure: Measure? = nil, release: String? = nil, since: UInt64? = nil) {
        self.council = council
        self.measure = measure
        self.release = release
        self.since = since
    }
}

extension RecordKey {
    /// The same record: an inspection is its id, whichever council it was filed under.
    func isSameRecord(as other: RecordKey) -> Bool {
        if case .inspection(let id, _) = self, case .inspection(let otherID, _) = other { return id == otherID }
        return self == other
    }
}

extension PendingChange {
    /// A put: the record is new, or some of its fields changed.
    static func put(_ key: RecordKey, old: RecordFields.Fields?, new: RecordFields.Fields) -> PendingChange {
        guard let old else { return PendingChange(key: key, action: .created, fields: []) }
        return PendingChange(key: key, action: .updated, fields: RecordFields.diff(old, new))
    }

    static func removal(_ key: RecordKey, _ fields: RecordFields.Fields) -> PendingChange {
        PendingChange(key: key, action: .deleted, fields: RecordFields.removal(fields))
    }
}

extension ReleaseMetadata {
    /// `csww_indicators_2017_to_2024.csv` → `csww-indicators-2017-to-2024`.
    static func slug(_ name: String) -> String {
        var stem = Substring(name)
        if let dot = stem.lastIndex(of: "."), dot != stem.startIndex { stem = stem[..<dot] }
        var out = ""
        var pendingHyphen = false
        for scalar in stem.lowercased().unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                if pendingHyphen && !out.isEmpty { out.append("-") }
                pendingHyphen = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingHyphen = true
            }
        }
        return out.isEmpty ? "release" : String(out.prefix(80))
    }
}
