/// The snapshot sections of history, after the records: `"releases":[…]`, one storage
/// record each, and `"history":[…]`, one element per write with the changes it made:
///
///     {"version":3,"at":1763892000,"origin":{…},"first":1201,"changes":[{"key":{…},"action":"updated","fields":[…]},…]}
///
/// A snapshot written before history has neither and loads with none (its change sequence
/// then starts from the generation; see `Snapshot`).
extension SnapshotSection {
    static let releases = SnapshotSection(name: "releases", write: { state, output throws(StoreError) in
        for release in state.releases() { release.writeStorageJSON(into: &output.writer) }
        try output.flushIfFull()
    }, read: { elements, state in
        try elements.forEach { try state.loadRelease(Release(storage: $0.parseValue(depth: 2))) }
    }, finish: { _ in })

    static let history = SnapshotSection(name: "history", write: { state, output throws(StoreError) in
        var open: HistoryCommit?
        func close(_ writer: inout JSONWriter) {
            guard open != nil else { return }
            writer.endArray()
            writer.endObject()
        }
        var failure: StoreError?
        state.history.view().forEach { event in
            if open !== event.commit {
                close(&output.writer)
                open = event.commit
                output.writer.beginObject()
                output.writer.key("version")
                output.writer.value(event.commit.version)
                output.writer.field("at", Int(event.commit.at.secondsSince1970))
                if let origin = event.commit.origin {
                    output.writer.key("origin")
                    origin.writeStorageJSON(into: &output.writer)
                }
                output.writer.key("first")
                output.writer.value(event.sequence)
                output.writer.key("changes")
                output.writer.beginArray()
            }
            event.writeStorageJSON(into: &output.writer)
            do throws(StoreError) { try output.flushIfFull() } catch {
                failure = error
                return false
            }
            return true
        }
        if let failure { throw failure }
        close(&output.writer)
        try output.flushIfFull()
    }, read: { elements, state in
        try elements.forEach { parser in
            let group = try parser.parseValue(depth: 2)
            guard let version = group["version"]?.intValue, version > 0, let at = group["at"]?.intValue,
                  let first = group["first"]?.intValue, first > 0, let changes = group["changes"]?.arrayValue else {
                throw SnapshotProblem("a history entry lacks version, at, first or changes")
            }
            let origin = try group["origin"].map { value throws(ValidationError) in try Origin(storage: value) }
            let commit = HistoryCommit(version: UInt64(version), at: Timestamp(secondsSince1970: Int64(at)), origin: origin)
            for (offset, change) in changes.enumerated() {
                try state.history.loadEvent(HistoryEvent(storage: change, sequence: UInt64(first + offset), commit: commit))
            }
        }
    }, finish: { _ in })
}
