import CarewatchCore

/// The rule every year filter follows (`year` on lists and statistics, `from` and `to` on
/// the comparison): a year that cannot have figures yet (after `latest`, which the caller
/// reads from the injected clock), a range whose `from` is after its `to`, or a year or
/// range that holds none of the years the store has for that endpoint is a 400 naming the
/// parameter and saying which years there are. An empty answer would look like "no data for
/// this council" to a dashboard when the question itself was off the end of the data.
enum YearFilter {
    /// One year (`year=`). `held` ascending; a store with no years refuses only the future.
    static func check(_ name: String, _ year: Int?, latest: Int, held: [Int]) throws(APIError) {
        guard let year else { return }
        try range(from: year, to: year, names: (name, name), latest: latest, held: held)
    }

    /// A range (`from=`, `to=`), either end open.
    static func range(from: Int?, to: Int?, names: (from: String, to: String) = ("from", "to"),
                      latest: Int, held: [Int]) throws(APIError) {
        if let from, let to, from > to { throw .badParameter(names.from, "must not be after \(names.to) (\(from) > \(to))") }
        for (name, year) in [(names.from, from), (names.to, to)] {
            if let year, year > latest {
                throw .badParameter(name, "is \(year), in the future: the latest year that can have figures today is \(latest)")
            }
        }
        guard let first = held.first, let last = held.last else { return }
        let low = from ?? first, high = to ?? last
        guard !held.contains(where: { $0 >= low && $0 <= high }) else { return }
        let name = from == nil ? names.to : names.from
        let heldText = first == last ? "only \(first)" : "years from \(first) to \(last)"
        throw .badParameter(name, from == to ? "is \(low), a year with no figures here (the store holds \(heldText))"
                                             : "gives a range with no figures here (the store holds \(heldText))")
    }
}
