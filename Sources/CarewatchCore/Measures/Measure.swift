/// One figure the API serves for councils, regions and England, year by year: what it is,
/// how to read it, where it comes from and, when carewatch computes it, how. The catalogue
/// (`MeasureCatalog`) is the single source of truth for ids, labels, units, directions,
/// publications and computations; `GET /v1/measures` serves it.
public struct Measure: Sendable {
    public enum Unit: String, Sendable, CaseIterable {
        case percent
        case fte
        case perTenThousand = "per_10000_children"
        case count
        case casesPerFTE = "cases_per_fte"
    }

    /// Which way is better, for ranks and quartile bands.
    public enum Direction: String, Sendable, CaseIterable {
        case higherIsBetter = "higher_is_better"
        case lowerIsBetter = "lower_is_better"
        /// A size or a level of need rather than a performance: ranked highest first.
        case neither
    }

    /// Where a council's figure comes from.
    public enum Origin: Sendable {
        /// As DfE publishes it, in `column` of the dataset's file (rows filtered by `filter`).
        case published(column: String, filter: DatasetFilter?)
        /// Computed by carewatch: `count` ÷ `population` of mid-year (year + `populationYearOffset`)
        /// × 10,000, rounded to the measure's decimals. DfE's rates for reporting year Y use
        /// the ONS estimate for mid-year Y−1 (data/PROVENANCE.md).
        case ratePer10000(count: String, population: String, populationYearOffset: Int)
        /// In no DfE file at council level: held only when written through the API or an import.
        case notPublished
    }

    /// How a region or England is computed from councils when DfE publishes no figure for it.
    public enum Pooling: Sendable {
        /// The sum over the councils that have the figure.
        case sum
        /// Σ numerator ÷ Σ denominator × `scale`, over the councils that have every input.
        case ratio(numerator: [String], denominator: [String], scale: Double)
        /// Σ count ÷ Σ population (mid-year year + offset) × 10,000, as `Origin.ratePer10000`.
        case ratePer10000(count: String, population: String, populationYearOffset: Int)
        /// Not computable from what councils publish (DfE's own figure only).
        case none
    }

    public let id: String
    public let label: String
    public let description: String
    public let unit: Unit
    /// The places DfE publishes the figure to; computed figures are rounded to these.
    public let decimals: Int
    public let direction: Direction
    /// The dataset the figure belongs to (its publication).
    public let dataset: String
    /// When the figure is counted: at a date, or over the year to it.
    public let period: Dataset.Period
    public let origin: Origin
    public let pooling: Pooling

    /// Whether carewatch computes the figure rather than reading it from DfE's file.
    public var isComputed: Bool {
        if case .ratePer10000 = origin { return true }
        return false
    }

    /// The measures a computed figure is made from (empty for published ones).
    public var inputs: [String] {
        switch origin {
        case .published, .notPublished: return []
        case .ratePer10000(let count, let population, _): return [count, population]
        }
    }

    /// How the figure is computed, in words, for the dictionary (nil for DfE's own figures).
    public var computation: String? {
        switch origin {
        case .published, .notPublished: return nil
        case .ratePer10000(let count, let population, let offset):
            return "\(count) ÷ \(population) of mid-year \(offset == 0 ? "Y" : "Y\(offset < 0 ? "−" : "+")\(abs(offset))") × 10,000, rounded to \(decimals) decimal place\(decimals == 1 ? "" : "s") (DfE's method: its rates for reporting year Y use the ONS estimate for mid-year Y−1)"
        }
    }

    /// How a region or England is computed from council figures when DfE's own is missing.
    public var poolingDescription: String? {
        switch pooling {
        case .sum: return "sum of the councils' figures"
        case .ratio(let numerator, let denominator, let scale):
            let top = numerator.map { "Σ \($0)" }.joined(separator: " + ")
            let bottom = denominator.map { "Σ \($0)" }.joined(separator: " + ")
            return "\(top) ÷ (\(bottom))\(scale == 1 ? "" : " × \(DecimalText.format(scale))") over the councils with every input, rounded to \(decimals) decimal place\(decimals == 1 ? "" : "s")"
        case .ratePer10000(let count, let population, let offset):
            return "Σ \(count) ÷ Σ \(population) of mid-year \(offset == 0 ? "Y" : "Y\(offset < 0 ? "−" : "+")\(abs(offset))") × 10,000 over the councils with both, rounded to \(decimals) decimal place\(decimals == 1 ? "" : "s")"
        case .none: return nil
        }
    }

    /// What rank 1 means.
    public var rankOrder: String {
        switch direction {
        case .higherIsBetter: return "1 = highest (best)"
        case .lowerIsBetter: return "1 = lowest (best)"
        case .neither: return "1 = highest (no better or worse direction)"
        }
    }

    /// Whether `a` ranks before `b` by the measure's direction.
    func ranksBefore(_ a: Double, _ b: Double) -> Bool {
        direction == .lowerIsBetter ? a < b : a > b
    }

    /// Rounded to the measure's published precision.
    public func rounded(_ value: Double) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}

/// Keeps the rows of a file whose `column` holds `value` (DfE files that give several
/// breakdowns per area and year, e.g. `population_type`).
public struct DatasetFilter: Sendable, Equatable {
    public let column: String
    public let value: String

    public init(_ column: String, _ value: String) {
        self.column = column
        self.value = value
    }
}

/// A DfE table that measures are read from: one record per area and year in the store.
public struct Dataset: Sendable {
    /// When a figure is counted.
    public enum Period: String, Sendable {
        case september30 = "30 September"
        case march31 = "31 March"
        case yearToMarch31 = "year to 31 March"
        case midYear = "mid-year (30 June)"
    }

    public let id: String
    public let title: String
    public let publisher: String
    public let publication: String
    /// How DfE names the file (its years change with each release).
    public let file: String

    /// The columns this dataset reads, with their filters: a file is this dataset's when its
    /// header has all of them.
    var columns: [(measure: String, column: String, filter: DatasetFilter?)] {
        MeasureCatalog.measures(in: id).compactMap { measure in
            guard case .published(let column, let filter) = measure.origin else { return nil }
            return (measure.id, column, filter)
        }
    }
}
