/// One council's children's social work workforce figures for one year, as at 30 September
/// (DfE `csww_indicators`). Every figure is optional: null when unknown or suppressed. A
/// figure DfE withholds keeps DfE's symbol in `suppressed` (`["turnover_rate": "u"]`).
public struct WorkforceYear: Sendable, VersionedRecord {
    public var council: String
    public var year: Int
    public var employedFTE: Double?
    public var agencyFTE: Double?
    /// Percentages, 0...100.
    public var agencyRate: Double?
    public var vacancyFTE: Double?
    public var vacancyRate: Double?
    public var leaversFTE: Double?
    public var turnoverRate: Double?
    public var caseload: Double?
    public var absenceRate: Double?
    public var asyeShare: Double?
    public var source: String?
    /// Figure field → DfE's symbol, for the figures DfE did not publish as a number (the
    /// figure itself is then nil). Empty when every figure is a number or simply unknown.
    public var suppressed: [String: String]
    public var version: UInt64

    public init(
        council: String, year: Int, employedFTE: Double? = nil, agencyFTE: Double? = nil, agencyRate: Double? = nil,
        vacancyFTE: Double? = nil, vacancyRate: Double? = nil, leaversFTE: Double? = nil, turnoverRate: Double? = nil,
        caseload: Double? = nil, absenceRate: Double? = nil, asyeShare: Double? = nil, source: String? = nil,
        suppressed: [String: String] = [:], version: UInt64 = 0
    ) {
        self.council = council
        self.year = year
        self.employedFTE = employedFTE
        self.agencyFTE = agencyFTE
        self.agencyRate = agencyRate
        self.vacancyFTE = vacancyFTE
        self.vacancyRate = vacancyRate
        self.leaversFTE = leaversFTE
        self.turnoverRate = turnoverRate
        self.caseload = caseload
        self.absenceRate = absenceRate
        self.asyeShare = asyeShare
        self.source = source
        self.suppressed = suppressed
        self.version = version
    }
}
