/// What made a write: a release of an official file, another import, an API write, the
/// embedded default data, or a restore. Every journal record carries its write's origin
/// (`"origin":{…}`), so history says why each version exists after restarts and snapshots;
/// a record written before carewatch kept origins has none and loads as "not recorded".
///
/// An API key is never kept: only its identifier, which names the key without revealing it.
///
/// A class: one origin is shared by the pending write, its journal record, the committed
/// record and every history entry of the write, without a copy each.
public final class Origin: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// An official file imported as a release (`release` says which).
        case release
        /// Any other import: the export document, the project's CSVs.
        case `import`
        /// One API write (`request` says which).
        case write
        /// carewatch's embedded default data, outside its releases (the councils and inspections).
        case seed
        /// `carewatch restore`: the data was replaced by a backup.
        case restore
    }

    public let kind: Kind
    /// The identifier of the API key that made the write; nil for the command line and the seed.
    public let keyID: String?
    /// An API write's method and path, `PUT /v1/councils/E08000028/workforce/2024`.
    public let request: String?
    /// The file an import read.
    public let file: FileIdentity?
    /// A release's description (kept whole in the journal, so replay rebuilds the release).
    public let release: ReleaseMetadata?

    public init(kind: Kind, keyID: String? = nil, request: String? = nil, file: FileIdentity? = nil, release: ReleaseMetadata? = nil) {
        self.kind = kind
        self.keyID = keyID
        self.request = request
        self.file = file
        self.release = release
    }

    /// The embedded default data's own writes.
    public static let seed = Origin(kind: .seed)

    public static func == (lhs: Origin, rhs: Origin) -> Bool {
        lhs === rhs || (lhs.kind == rhs.kind && lhs.keyID == rhs.keyID && lhs.request == rhs.request && lhs.file == rhs.file && lhs.release == rhs.release)
    }

    /// The origin of the writes a task makes without naming one: the API sets it around each
    /// request's handler, so every route's writes are attributed without passing it along.
    @TaskLocal public static var current: Origin?
}

/// An imported file as read: its name, its SHA-256 and the format carewatch recognised.
public struct FileIdentity: Sendable, Equatable {
    /// The name given with the upload (`?source=`), or the one carewatch inferred; nil for an
    /// upload that named none in a format with no inferable name.
    public var name: String?
    /// Lowercase hex, as `sha256sum` prints it.
    public var sha256: String
    /// `ImportFormat`'s raw value (`dfe_workforce_csv`, `json`, …).
    public var format: String

    public init(name: String?, sha256: String, format: String) {
        self.name = name
        self.sha256 = sha256
        self.format = format
    }
}

extension Origin {
    /// The journal and snapshot form: everything, releases whole.
    func writeStorageJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("kind", kind.rawValue)
        if let keyID { writer.field("key_id", keyID) }
        if let request { writer.field("request", request) }
        if let file {
            writer.key("file")
            file.writeJSON(into: &writer)
        }
        if let release {
            writer.key("release")
            release.writeJSON(into: &writer)
        }
        writer.endObject()
    }

    /// The same object, written where the journal writes a record's top-level members
    /// (`JournalRecord.encode`): every write carries one, so an API write's three members
    /// are written without the writer's container bookkeeping.
    func appendJournalJSON(to writer: inout JSONWriter) {
        guard file == nil && release == nil else { return writeStorageJSON(into: &writer) }
        writer.appendRaw("{\"kind\":")
        writer.append(string: kind.rawValue)
        if let keyID {
            writer.appendRaw(",\"key_id\":")
            writer.append(string: keyID)
        }
        if let request {
            writer.appendRaw(",\"request\":")
            writer.append(string: request)
        }
        writer.appendRaw("}")
    }

    convenience init(storage json: JSONValue) throws(ValidationError) {
        guard let kindText = json["kind"]?.stringValue, let kind = Kind(rawValue: kindText) else {
            throw ValidationError(field: "origin.kind", message: "missing or unknown")
        }
        var file: FileIdentity?
        var release: ReleaseMetadata?
        if let value = json["file"], !value.isNull { file = try FileIdentity(json: value) }
        if let value = json["release"], !value.isNull { release = try ReleaseMetadata(json: value) }
        self.init(kind: kind, keyID: json["key_id"]?.stringValue, request: json["request"]?.stringValue, file: file, release: release)
    }

    /// The API's `made_by`: a release by its id (`GET /v1/releases` describes it).
    public func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("kind", kind.rawValue)
        writer.field("release", release?.id)
        writer.key("file")
        if let file { file.writeJSON(into: &writer) } else { writer.null() }
        writer.field("key_id", keyID)
        writer.field("request", request)
        writer.endObject()
    }
}

extension FileIdentity {
    public func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("name", name)
        writer.field("sha256", sha256)
        writer.field("format", format)
        writer.endObject()
    }

    init(json: JSONValue) throws(ValidationError) {
        guard let sha256 = json["sha256"]?.stringValue, let format = json["format"]?.stringValue else {
            throw ValidationError(field: "origin.file", message: "lacks sha256 or format")
        }
        self.init(name: json["name"]?.stringValue, sha256: sha256, format: format)
    }
}
