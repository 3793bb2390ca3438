extension WorkforceYear {
    static let inputFields: Set<String> = ["council", "year", "employed_fte", "agency_fte", "agency_rate", "vacancy_fte", "vacancy_rate",
                                           "leavers_fte", "turnover_rate", "caseload", "absence_rate", "asye_share", "source",
                                           "suppressed"]
    static let storageFields: Set<String> = inputFields.union(["version"])
    public static let plausibleYears = 2000...2100
    static let sourceLimit = 500
    /// How far (percentage points) a given rate may sit from the one its FTEs imply. DfE
    /// rounds FTEs and rates separately; its own rows agree within 0.15.
    public static let rateTolerance = 1.0

    /// Decodes a client document and derives missing rates from the FTEs (DfE definitions),
    /// because derived values are the server's to compute. `council` may come from the URL.
    public init(json: JSONValue, defaultCouncil: String? = nil, defaultYear: Int? = nil) throws(ValidationError) {
        try self.init(json: json, defaultCouncil: defaultCouncil, defaultYear: defaultYear, storage: false)
    }

    init(json: JSONValue, defaultCouncil: String? = nil, defaultYear: Int? = nil, storage: Bool) throws(ValidationError) {
        var reader = FieldReader(json, known: storage ? WorkforceYear.storageFields : WorkforceYear.inputFields)
        let council = reader.string("council", required: defaultCouncil == nil) ?? defaultCouncil
        let year = reader.int("year", required: defaultYear == nil) ?? defaultYear
        var row = WorkforceYear(council: council ?? "", year: year ?? 0)
        row.employedFTE = reader.double("employed_fte")
        row.agencyFTE = reader.double("agency_fte")
        row.agencyRate = reader.double("agency_rate")
        row.vacancyFTE = reader.double("vacancy_fte")
        row.vacancyRate = reader.double("vacancy_rate")
        row.leaversFTE = reader.double("leavers_fte")
        row.turnoverRate = reader.double("turnover_rate")
        row.caseload = reader.double("caseload")
        row.absenceRate = reader.double("absence_rate")
        row.asyeShare = reader.double("asye_share")
        row.source = reader.string("source")
        row.suppressed = reader.stringMap("suppressed") ?? [:]
        if storage { row.version = reader.uint64("version") ?? 0 }
        guard council != nil, year != nil else { throw ValidationError(reader.errors) }
        var errors = reader.errors
        if !storage {
            errors += row.validate()
            if errors.isEmpty { row.deriveRates() }
        }
        if !errors.isEmpty { throw ValidationError(errors) }
        self = row
    }

    /// The figure fields, in the order every representation lists them.
    public static let figureFields = ["employed_fte", "agency_fte", "agency_rate", "vacancy_fte", "vacancy_rate", "leavers_fte",
                                      "turnover_rate", "caseload", "absence_rate", "asye_share"]

    var figures: [(field: String, value: Double?, isPercentage: Bool)] {
        [("employed_fte", employedFTE, false), ("agency_fte", agencyFTE, false), ("agency_rate", agencyRate, true),
         ("vacancy_fte", vacancyFTE, false), ("vacancy_rate", vacancyRate, true), ("leavers_fte", leaversFTE, false),
         ("turnover_rate", turnoverRate, true), ("caseload", caseload, false), ("absence_rate", absenceRate, true),
         ("asye_share", asyeShare, true)]
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if council.isEmpty { errors.append(FieldError(field: "council", message: "must not be empty")) }
        if !WorkforceYear.plausibleYears.contains(year) {
            errors.append(FieldError(field: "year", message: "must be between \(WorkforceYear.plausibleYears.lowerBound) and \(WorkforceYear.plausibleYears.upperBound)"))
        }
        errors += TextRules.errors("source", source, limit: WorkforceYear.sourceLimit)
        for figure in figures {
            guard let value = figure.value else { continue }
            if !value.isFinite {
                errors.append(FieldError(field: figure.field, message: "must be a finite number"))
            } else if figure.isPercentage && !(0...100).contains(value) {
                errors.append(FieldError(field: figure.field, message: "must be between 0 and 100"))
            } else if value < 0 {
                errors.append(FieldError(field: figure.field, message: "must not be negative"))
            }
        }
        for (field, symbol) in suppressed.sorted(by: { $0.key < $1.key }) {
            if !WorkforceYear.figureFields.contains(field) {
                errors.append(FieldError(field: "suppressed.\(field)", message: "is not a workforce figure (\(WorkforceYear.figureFields.joined(separator: ", ")))"))
            } else if !SuppressionSymbol.isKnown(symbol) {
                errors.append(FieldError(field: "suppressed.\(field)", message: "must be one of DfE's symbols (\(SuppressionSymbol.list)), not '\(symbol)'"))
            } else if figures.first(where: { $0.field == field })?.value != nil {
                errors.append(FieldError(field: field, message: "is given as a number and as suppressed ('\(symbol)'); give one or the other"))
            }
        }
        // A given rate must agree with its FTEs. This is also where "agency FTE cannot exceed
        // the total" lives: with non-negative FTEs agency ≤ agency + employed always holds, so
        // the only way to overstate agency staff is a rate the FTEs do not support.
        guard errors.isEmpty else { return errors }
        let checks: [(String, Double?, Double?)] = [
            ("agency_rate", agencyRate, WorkforceYear.rate(agencyFTE, over: sum(agencyFTE, employedFTE))),
            ("vacancy_rate", vacancyRate, WorkforceYear.rate(vacancyFTE, over: sum(vacancyFTE, employedFTE))),
            ("turnover_rate", turnoverRate, WorkforceYear.rate(leaversFTE, over: employedFTE)),
        ]
        for (field, given, implied) in checks {
            if let given, let implied, abs(given - implied) > WorkforceYear.rateTolerance {
                errors.append(FieldError(field: field, message: "does not match the FTEs, which give \(WorkforceYear.rounded(implied))"))
            }
        }
        if let implied = WorkforceYear.rate(leaversFTE, over: employedFTE), implied > 100, turnoverRate == nil {
            errors.append(FieldError(field: "leavers_fte", message: "gives a turnover rate over 100 (leavers_fte / employed_fte)"))
        }
        return errors
    }

    /// Figures are as at 30 September, so a year after the current reporting year (this year
    /// from 1 October, else last year; `WallClock.reportingYear(on:)`) cannot have any yet.
    public func futureYearErrors(today: CalendarDate) -> [FieldError] {
        let reportingYear = WallClock.reportingYear(on: today)
        guard year > reportingYear else { return [] }
        return [FieldError(field: "year", message: "\(year) is after the current reporting year \(reportingYear): figures are as at 30 September, so a year's exist from 1 October of it")]
    }

    /// A row must say something: at least one figure, a figure DfE withheld (`suppressed`, as
    /// for a council whose figures are all withheld), or the source that publishes none for
    /// the year. A row of nothing but nulls is refused; DELETE removes a row.
    public func emptinessErrors() -> [FieldError] {
        guard source == nil, suppressed.isEmpty, figures.allSatisfy({ $0.value == nil }) else { return [] }
        return [FieldError(field: "body", message: "carries no figure, no withheld figure and no source: give at least one figure (or DfE's symbol for one in suppressed, or the source that publishes none for the year); DELETE removes a row")]
    }

    private func sum(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b else { return nil }
        return a + b
    }

    static func rate(_ part: Double?, over whole: Double?) -> Double? {
        guard let part, let whole, whole > 0 else { return nil }
        return part / whole * 100
    }

    /// DfE publishes rates to one decimal place.
    static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    /// Fills the rates DfE defines from FTEs where the rate is missing and the FTEs are known:
    /// agency = agency / (agency + employed); vacancy = vacancy / (vacancy + employed);
    /// turnover = leavers / employed. Never touches a given figure, nor one DfE withheld.
    public mutating func deriveRates() {
        if agencyRate == nil, suppressed["agency_rate"] == nil, let rate = WorkforceYear.rate(agencyFTE, over: sum(agencyFTE, employedFTE)) {
            agencyRate = WorkforceYear.rounded(rate)
        }
        if vacancyRate == nil, suppressed["vacancy_rate"] == nil, let rate = WorkforceYear.rate(vacancyFTE, over: sum(vacancyFTE, employedFTE)) {
            vacancyRate = WorkforceYear.rounded(rate)
        }
        if turnoverRate == nil, suppressed["turnover_rate"] == nil, let rate = WorkforceYear.rate(leaversFTE, over: employedFTE), rate <= 100 {
            turnoverRate = WorkforceYear.rounded(rate)
        }
    }

    public func writeFields(into writer: inout JSONWriter) {
        writer.field("council", council)
        writer.field("year", year)
        // Spelled out rather than looping over `figures`: this runs once per row per list
        // page, export and snapshot, and the loop allocated an array each time.
        writer.field("employed_fte", employedFTE)
        writer.field("agency_fte", agencyFTE)
        writer.field("agency_rate", agencyRate)
        writer.field("vacancy_fte", vacancyFTE)
        writer.field("vacancy_rate", vacancyRate)
        writer.field("leavers_fte", leaversFTE)
        writer.field("turnover_rate", turnoverRate)
        writer.field("caseload", caseload)
        writer.field("absence_rate", absenceRate)
        writer.field("asye_share", asyeShare)
        writer.field("source", source)
        writer.key("suppressed")
        WorkforceYear.writeSuppressed(suppressed, into: &writer)
    }

    /// `{"turnover_rate":"u"}` in figure order (`{}` when nothing is withheld), so equal rows
    /// always encode to equal bytes.
    static func writeSuppressed(_ suppressed: [String: String], into writer: inout JSONWriter) {
        writer.beginObject()
        if !suppressed.isEmpty {
            for field in figureFields { if let symbol = suppressed[field] { writer.field(field, symbol) } }
            for (field, symbol) in suppressed.sorted(by: { $0.key < $1.key }) where !figureFields.contains(field) {
                writer.field(field, symbol)
            }
        }
        writer.endObject()
    }
}
