/// A record the store keeps whole and stamps with its own `version` (the write that last
/// changed it, which the record's ETag carries and its JSON does not show): an inspection, a
/// workforce row, a published figure row, a neighbour list. Each writes its members once,
/// in `writeFields`; the API's object is those members, the snapshot's and journal's adds
/// `version`, and two records hold the same content when they are equal but for it.
/// (A council is not one: it also has `updated_at` and its latest inspection to write.)
public protocol VersionedRecord: Equatable {
    var version: UInt64 { get set }

    /// The record's members as the API shows them, into an object the caller has begun.
    func writeFields(into writer: inout JSONWriter)
}

extension VersionedRecord {
    /// The record as the API shows it.
    @inlinable
    public func writeJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writeFields(into: &writer)
        writer.endObject()
    }

    /// The record as the store keeps it: its members, then `version`.
    func writeStorageJSON(into writer: inout JSONWriter) {
        writer.beginObject()
        writeFields(into: &writer)
        writer.key("version")
        writer.value(version)
        writer.endObject()
    }

    /// Equal but for the store's own `version`: a put of it changes nothing.
    @inlinable
    public func hasSameContent(as other: Self) -> Bool {
        var same = other
        same.version = version
        return self == same
    }
}
