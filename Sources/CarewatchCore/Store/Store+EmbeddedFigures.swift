extension Store {
    /// A data directory written before carewatch held published figures and neighbour models
    /// has councils but neither. On start-up with the embedded data (no `--seed`), such a
    /// store gains the embedded ones in one durable write, for the councils it holds, so an
    /// upgrade compares councils at once; its own councils, inspections and workforce rows are
    /// left as they are.
    func addEmbeddedFiguresIfMissing() throws {
        let state = self.state
        guard state.councilCount > 0, state.figureCount == 0, state.neighbourListCount == 0 else { return }
        let document = SeedData.defaultDocument()
        let figures = document.figures.filter { row in
            row.level != .localAuthority || row.members.allSatisfy { state.council(named: $0) != nil }
        }
        let changes = figures.map(Change.putFigures) + document.neighbours.map(Change.putNeighbours)
        _ = try apply(changes, origin: .seed)
        options.log("added the embedded published figures (\(figures.count) rows) and neighbour models (\(document.neighbours.count) lists) to \(directory), which held none")
    }
}
