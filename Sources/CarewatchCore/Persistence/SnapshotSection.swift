/// One collection of a snapshot: the name of its array in the snapshot document, how its
/// records are written, how one is read back into a state being loaded, and how that
/// collection's indexes are built once all of them are in.
///
/// A new kind of record plugs in by adding a section to `SnapshotSection.all`. Snapshots
/// written before it existed simply lack the array and load with the collection empty; a
/// snapshot with an array this build does not know is refused rather than loaded without it.
struct SnapshotSection: Sendable {
    let name: String
    /// Writes every record of the collection as an array element (the array itself is opened
    /// and closed by the caller). Call `output.flushIfFull()` between records.
    let write: @Sendable (StoreState, inout SnapshotOutput) throws(StoreError) -> Void
    /// Decodes the section's records (`elements.forEach`) into the state.
    let read: @Sendable (inout SnapshotElements, inout StoreState) throws -> Void
    /// Builds the collection's indexes; sections finish in table order.
    let finish: @Sendable (inout StoreState) throws -> Void

    /// Every section, in the order written and finished (councils first: the others refer to them).
    static let all: [SnapshotSection] = [.councils, .inspections, .workforce, .figures, .neighbours, .releases, .history]

    static let councils = SnapshotSection(name: "councils", write: { state, output throws(StoreError) in
        for council in state.councilsAll() { council.writeStorageJSON(into: &output.writer) }
        try output.flushIfFull()
    }, read: { elements, state in
        try elements.forEach { try state.loadCouncil(Council(json: $0.parseValue(depth: 2), storage: true)) }
    }, finish: { state in
        state.finishLoadingCouncils()
    })

    static let inspections = SnapshotSection(name: "inspections", write: { state, output throws(StoreError) in
        for inspection in state.inspectionsAll() {
            inspection.writeStorageJSON(into: &output.writer)
            try output.flushIfFull()
        }
    }, read: { elements, state in
        try elements.forEach { try state.loadInspection(Inspection(json: $0.parseValue(depth: 2), storage: true)) }
    }, finish: { state in
        try state.finishLoadingInspections()
    })

    static let workforce = SnapshotSection(name: "workforce", write: { state, output throws(StoreError) in
        for code in state.workforceByCouncil.keys.sorted() {
            for row in state.workforceByCouncil[code]! { row.writeStorageJSON(into: &output.writer) }
            try output.flushIfFull()
        }
    }, read: { elements, state in
        // Rows arrive council by council: collect each council's run and hand it over whole,
        // sized like the one before, so there is one dictionary update per council and the
        // arrays hardly ever grow by copying.
        var run: [WorkforceYear] = []
        var runSize = 0
        try elements.forEach { parser in
            let row = try WorkforceYear.decodeStored(&parser) ?? WorkforceYear(json: parser.parseValue(depth: 2), storage: true)
            if let last = run.last, last.council != row.council {
                runSize = run.count
                state.loadWorkforce(run)
                run = []
            }
            if run.isEmpty { run.reserveCapacity(max(runSize, 1)) }
            run.append(row)
        }
        if !run.isEmpty { state.loadWorkforce(run) }
    }, finish: { state in
        try state.finishLoadingWorkforce()
    })
}
