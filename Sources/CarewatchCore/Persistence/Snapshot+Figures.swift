/// The snapshot sections of the published figures and the neighbour models, after
/// `workforce`: `"figures":[…]` and `"neighbours":[…]`, one storage record each. A snapshot
/// written before these collections existed has neither array and loads them empty.
extension SnapshotSection {
    static let figures = SnapshotSection(name: "figures", write: { state, output throws(StoreError) in
        for row in state.figuresAll() {
            row.writeStorageJSON(into: &output.writer)
            try output.flushIfFull()
        }
    }, read: { elements, state in
        try elements.forEach { try state.loadFigureRow(FigureRow(json: $0.parseValue(depth: 2), storage: true)) }
    }, finish: { _ in })

    static let neighbours = SnapshotSection(name: "neighbours", write: { state, output throws(StoreError) in
        for list in state.neighbourListsAll() { list.writeStorageJSON(into: &output.writer) }
        try output.flushIfFull()
    }, read: { elements, state in
        try elements.forEach { try state.loadNeighbourList(NeighbourList(json: $0.parseValue(depth: 2), storage: true)) }
    }, finish: { _ in })
}
