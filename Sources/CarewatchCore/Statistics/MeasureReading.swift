/// One measure's figure for one council, region or England in one year, as carewatch reads
/// it from what the store holds: a number, or DfE's symbol for a withheld figure, or nothing.
public struct Reading: Sendable, Equatable {
    public var value: Double?
    /// DfE's symbol when the figure (or, for a computed one, an input) was withheld.
    public var status: String?
    /// The joint return (`E09000021 / E09000027`) whose figure this is, when the council
    /// published one row with another council.
    public var jointReturn: String?

    public init(value: Double? = nil, status: String? = nil, jointReturn: String? = nil) {
        self.value = value
        self.status = status
        self.jointReturn = jointReturn
    }

    init(_ cell: FigureCell, jointReturn: String? = nil) {
        switch cell {
        case .number(let value): self.init(value: value, jointReturn: jointReturn)
        case .symbol(let symbol): self.init(status: symbol, jointReturn: jointReturn)
        case .empty: self.init(jointReturn: jointReturn)
        }
    }

    var isEmpty: Bool { value == nil && status == nil }
}

/// How a region's or England's figure was arrived at.
public enum AreaBasis: String, Sendable {
    /// DfE's own figure for the area, as published.
    case published
    /// Computed by carewatch, the measure's way, from DfE's own figures for the area (a rate
    /// per 10,000 from DfE's count and the ONS population it publishes).
    case computed
    /// Pooled by carewatch from the councils' figures (the measure's pooling), because DfE's
    /// own figure for the area is missing or withheld.
    case pooled
}

/// A region's or England's figure with how it was arrived at.
public struct AreaReading: Sendable, Equatable {
    public var code: String
    public var name: String
    public var value: Double?
    /// DfE's symbol when its own figure is withheld (whatever the basis of `value`).
    public var status: String?
    public var basis: AreaBasis?
    /// Pooled only: how many council returns went in, and how many lacked a figure.
    public var returns: Int?
    public var missing: Int?
}

/// How to read one measure, resolved once: the comparison reads every council's figure for
/// every year, so per-reading look-ups of the catalogue, key paths and string matches add up.
indirect enum MeasureReader: Sendable {
    /// A figure of councils' own workforce rows (index into `WorkforceYear.figureFields`).
    case workforce(id: String, figure: Int)
    /// A figure of a dataset's published rows.
    case published(dataset: String, id: String)
    /// A rate per 10,000 computed from two other measures.
    case rate(Measure, count: MeasureReader, population: MeasureReader, offset: Int)
    case unknown

    init(_ measure: Measure) {
        switch measure.origin {
        case .ratePer10000(let count, let population, let offset):
            guard let countMeasure = MeasureCatalog.measure(count), let populationMeasure = MeasureCatalog.measure(population) else {
                self = .unknown
                return
            }
            self = .rate(measure, count: MeasureReader(countMeasure), population: MeasureReader(populationMeasure), offset: offset)
        case .published, .notPublished:
            if measure.dataset == "workforce", let index = WorkforceYear.figureFields.firstIndex(of: measure.id) {
                self = .workforce(id: measure.id, figure: index)
            } else {
                self = .published(dataset: measure.dataset, id: measure.id)
            }
        }
    }
}

extension StoreState {
    /// The years with at least one figure (a number or a symbol) of the measure, for any
    /// area; for a computed measure, the years of its count.
    public func years(of measure: Measure) -> [Int] {
        if case .ratePer10000(let count, _, _) = measure.origin, let input = MeasureCatalog.measure(count) {
            return years(of: input)
        }
        var years = Set<Int>()
        if measure.dataset == "workforce", let index = WorkforceYear.figureFields.firstIndex(of: measure.id) {
            for rows in workforceByCouncil.values {
                for row in rows where !years.contains(row.year) && (row.figure(at: index) != nil || row.suppressed[measure.id] != nil) {
                    years.insert(row.year)
                }
            }
        }
        for (year, areas) in figureTable[measure.dataset] ?? [:] where !years.contains(year) {
            if areas.values.contains(where: { $0.values[measure.id] != nil || $0.suppressed[measure.id] != nil }) { years.insert(year) }
        }
        return years.sorted()
    }

    /// A council's own figure, or its joint return's; computed measures from their inputs.
    public func reading(_ measure: Measure, council code: String, year: Int) -> Reading {
        reading(MeasureReader(measure), council: code, year: year)
    }

    func reading(_ reader: MeasureReader, council code: String, year: Int) -> Reading {
        let dataset: String, id: String
        switch reader {
        case .rate(let measure, let count, let population, let offset):
            return StoreState.rate(measure, reading(count, council: code, year: year), reading(population, council: code, year: year + offset))
        case .unknown:
            return Reading()
        case .workforce(let figureID, let index):
            // Read in place: no copy of the row.
            if let rows = workforceByCouncil[code], let position = rows.firstIndex(where: { $0.year == year }) {
                if let value = rows[position].figure(at: index) { return Reading(value: value) }
                return Reading(status: rows[position].suppressed[figureID])
            }
            (dataset, id) = ("workforce", figureID)
        case .published(let name, let figureID):
            if let areas = figureTable[name]?[year], let position = areas.index(forKey: code) {
                return Reading(areas[position].value.cell(figureID))
            }
            (dataset, id) = (name, figureID)
        }
        if let joint = jointReturn(containing: code, dataset: dataset, year: year) {
            return Reading(joint.cell(id), jointReturn: joint.area)
        }
        return Reading()
    }

    /// The figure of one published row, computed measures from the same row's area.
    func reading(_ measure: Measure, area code: String, year: Int) -> Reading {
        switch measure.origin {
        case .ratePer10000(let count, let population, let offset):
            guard let countMeasure = MeasureCatalog.measure(count), let populationMeasure = MeasureCatalog.measure(population) else { return Reading() }
            return StoreState.rate(measure, reading(countMeasure, area: code, year: year), reading(populationMeasure, area: code, year: year + offset))
        case .published, .notPublished:
            return figures(dataset: measure.dataset, area: code, year: year).map { Reading($0.cell(measure.id)) } ?? Reading()
        }
    }

    static func rate(_ measure: Measure, _ count: Reading, _ population: Reading) -> Reading {
        if let value = count.value, let people = population.value, people > 0 {
            return Reading(value: measure.rounded(value / people * 10_000), jointReturn: count.jointReturn)
        }
        return Reading(status: count.status ?? (count.value != nil ? population.status : nil), jointReturn: count.jointReturn)
    }

    /// A region's (E12…) or England's (E92000001) figure: DfE's own where published, else
    /// computed from DfE's own inputs for the area, else pooled from `councils`.
    public func areaReading(_ measure: Measure, area code: String, name: String, year: Int, councils: [String]) -> AreaReading {
        var result = AreaReading(code: code, name: name)
        let own = reading(measure, area: code, year: year)
        result.status = own.status
        if let value = own.value {
            result.value = value
            result.basis = measure.isComputed ? .computed : .published
            return result
        }
        if let pooled = pool(measure, councils: councils, year: year) {
            result.value = pooled.value
            result.basis = .pooled
            result.returns = pooled.returns
            result.missing = pooled.missing
        }
        return result
    }

    /// The measure's pooling over councils. Each published return counts once: a joint
    /// return's figure is added once for its two councils, never twice.
    func pool(_ measure: Measure, councils: [String], year: Int) -> (value: Double?, returns: Int, missing: Int)? {
        let inputs: [String]
        switch measure.pooling {
        case .none: return nil
        case .sum: inputs = [measure.id]
        case .ratio(let numerator, let denominator, _): inputs = Array(Set(numerator + denominator))
        case .ratePer10000(let count, let population, _): inputs = [count, population]
        }
        let measures = inputs.compactMap { MeasureCatalog.measure($0) }
        guard measures.count == inputs.count else { return nil }
        let readers = measures.map { ($0, MeasureReader($0)) }
        var totals: [String: Double] = [:]
        var returns = 0, missing = 0
        var seenJoint = Set<String>()
        for code in councils {
            var values: [String: Double] = [:]
            var joint: String?
            for (input, reader) in readers {
                let offset: Int
                if case .ratePer10000(_, let population, let populationOffset) = measure.pooling, input.id == population {
                    offset = populationOffset
                } else {
                    offset = 0
                }
                let value = reading(reader, council: code, year: year + offset)
                if let area = value.jointReturn { joint = area }
                if let number = value.value { values[input.id] = number }
            }
            if let joint, !seenJoint.insert(joint).inserted { continue }
            guard values.count == measures.count else {
                missing += 1
                continue
            }
            returns += 1
            for (id, value) in values { totals[id, default: 0] += value }
        }
        guard returns > 0 else { return (nil, 0, missing) }
        switch measure.pooling {
        case .none: return nil
        case .sum: return (measure.rounded(totals[measure.id]!), returns, missing)
        case .ratio(let numerator, let denominator, let scale):
            let top = numerator.reduce(0) { $0 + totals[$1]! }
            let bottom = denominator.reduce(0) { $0 + totals[$1]! }
            guard bottom > 0 else { return (nil, returns, missing) }
            return (measure.rounded(top / bottom * scale), returns, missing)
        case .ratePer10000(let count, let population, _):
            guard totals[population]! > 0 else { return (nil, returns, missing) }
            return (measure.rounded(totals[count]! / totals[population]! * 10_000), returns, missing)
        }
    }
}

extension WorkforceYear {
    /// The figure at `index` of `figureFields`, without a key path.
    func figure(at index: Int) -> Double? {
        switch index {
        case 0: return employedFTE
        case 1: return agencyFTE
        case 2: return agencyRate
        case 3: return vacancyFTE
        case 4: return vacancyRate
        case 5: return leaversFTE
        case 6: return turnoverRate
        case 7: return caseload
        case 8: return absenceRate
        case 9: return asyeShare
        default: return nil
        }
    }
}
