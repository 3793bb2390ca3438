/// Every dataset and measure carewatch serves: the small table that drives the import of
/// DfE's tidy files (a file is recognised by its columns, so next year's release, with the
/// same columns and more years, loads without a code change), the comparison, and
/// `GET /v1/measures`.
public enum MeasureCatalog {
    public static let dfe = "Department for Education"

    public static let datasets: [Dataset] = [
        Dataset(id: "workforce", title: "Children's social work workforce: local authority indicators", publisher: dfe,
                publication: "Children's social work workforce", file: "csww_indicators_2017_to_YYYY.csv"),
        Dataset(id: "children_in_need", title: "Children in need at 31 March", publisher: dfe,
                publication: "Children in need", file: "b1_children_in_need_2013_to_YYYY.csv"),
        Dataset(id: "referrals", title: "Referrals and re-referrals within 12 months", publisher: dfe,
                publication: "Children in need", file: "c1_children_in_need_referrals_and_rereferrals_2013_to_YYYY.csv"),
        Dataset(id: "cpp_starts", title: "Child protection plans started, and second or subsequent plans", publisher: dfe,
                publication: "Children in need", file: "d3_cpps_subsequent_plan_2013_to_YYYY.csv"),
        Dataset(id: "cpp_at_31_march", title: "Child protection plans at 31 March", publisher: dfe,
                publication: "Children in need", file: "d5_cpps_at31march_by_duration_2013_to_YYYY.csv"),
        Dataset(id: "children_looked_after", title: "Children looked after at 31 March: number and rate per 10,000 children", publisher: dfe,
                publication: "Children looked after in England including adoptions", file: "cla_number_and_rate_per_10k_children.csv"),
        Dataset(id: "cla_social_workers", title: "Children looked after at 31 March who had 3 or more social workers during the year", publisher: dfe,
                publication: "Children looked after in England including adoptions", file: "la_cla_swcount.csv"),
        Dataset(id: "population", title: "Children aged 0 to 17: ONS mid-year population estimates", publisher: "Office for National Statistics (as DfE's dashboards use them)",
                publication: "Mid-year population estimates", file: "ons_mid-year_population_estimates_2012_to_YYYY.csv"),
    ]

    private static func workforce(_ id: String, _ label: String, _ description: String, unit: Measure.Unit, direction: Measure.Direction,
                                  column: String, pooling: Measure.Pooling) -> Measure {
        Measure(id: id, label: label, description: description, unit: unit, decimals: 1, direction: direction, dataset: "workforce",
                period: .september30, origin: .published(column: column, filter: nil), pooling: pooling)
    }

    private static let rateOfAgency = Measure.Pooling.ratio(numerator: ["agency_fte"], denominator: ["agency_fte", "employed_fte"], scale: 100)

    public static let measures: [Measure] = [
        // DfE children's social work workforce: the ten figures of a workforce row, same ids.
        workforce("employed_fte", "Social workers employed (FTE)",
                  "Children and family social workers employed by the council (in post), full-time equivalent.",
                  unit: .fte, direction: .neither, column: "inpost_fte", pooling: .sum),
        workforce("agency_fte", "Agency social workers (FTE)",
                  "Agency (contracted) children and family social workers, full-time equivalent.",
                  unit: .fte, direction: .neither, column: "agency_fte", pooling: .sum),
        workforce("agency_rate", "Agency worker rate",
                  "Agency social workers as a percentage of all social workers: agency FTE ÷ (agency FTE + employed FTE) × 100.",
                  unit: .percent, direction: .lowerIsBetter, column: "agency_rate_fte", pooling: rateOfAgency),
        workforce("vacancy_fte", "Vacancies (FTE)", "Vacant children and family social worker posts, full-time equivalent.",
                  unit: .fte, direction: .neither, column: "vacancy_fte", pooling: .sum),
        workforce("vacancy_rate", "Vacancy rate",
                  "Vacancies as a percentage of vacancies plus employed social workers: vacancy FTE ÷ (vacancy FTE + employed FTE) × 100.",
                  unit: .percent, direction: .lowerIsBetter, column: "vacancy_rate_fte",
                  pooling: .ratio(numerator: ["vacancy_fte"], denominator: ["vacancy_fte", "employed_fte"], scale: 100)),
        workforce("leavers_fte", "Leavers (FTE)", "Employed social workers who left during the year to 30 September, full-time equivalent.",
                  unit: .fte, direction: .neither, column: "leavers_fte", pooling: .sum),
        workforce("turnover_rate", "Turnover rate", "Leavers as a percentage of employed social workers: leavers FTE ÷ employed FTE × 100.",
                  unit: .percent, direction: .lowerIsBetter, column: "turnover_rate_fte",
                  pooling: .ratio(numerator: ["leavers_fte"], denominator: ["employed_fte"], scale: 100)),
        workforce("caseload", "Average caseload", "Cases per case-holding social worker (FTE).",
                  unit: .casesPerFTE, direction: .lowerIsBetter, column: "caseload_fte", pooling: .none),
        workforce("absence_rate", "Sickness absence rate",
                  "Working days lost to sickness absence as a percentage of working days available (employed social workers).",
                  unit: .percent, direction: .lowerIsBetter, column: "absence_rate_fte", pooling: .none),
        Measure(id: "asye_share", label: "ASYE share",
                description: "Share of social workers in their assessed and supported year in employment. DfE publishes no council figure, so no value is held unless one is written.",
                unit: .percent, decimals: 1, direction: .neither, dataset: "workforce", period: .september30,
                origin: .notPublished, pooling: .none),

        // DfE Children in need.
        Measure(id: "cin_count", label: "Children in need", description: "Children in need at 31 March (episodes open on the day).",
                unit: .count, decimals: 0, direction: .neither, dataset: "children_in_need", period: .march31,
                origin: .published(column: "At31_episodes", filter: nil), pooling: .sum),
        Measure(id: "cin_rate", label: "Children in need per 10,000 children",
                description: "Children in need at 31 March per 10,000 children aged 0 to 17.",
                unit: .perTenThousand, decimals: 1, direction: .neither, dataset: "children_in_need", period: .march31,
                origin: .ratePer10000(count: "cin_count", population: "population_0_17", populationYearOffset: -1),
                pooling: .ratePer10000(count: "cin_count", population: "population_0_17", populationYearOffset: -1)),
        Measure(id: "referrals", label: "Referrals", description: "Referrals to children's social care in the year to 31 March.",
                unit: .count, decimals: 0, direction: .neither, dataset: "referrals", period: .yearToMarch31,
                origin: .published(column: "referral_count", filter: nil), pooling: .sum),
        Measure(id: "referral_rate", label: "Referrals per 10,000 children",
                description: "Referrals in the year to 31 March per 10,000 children aged 0 to 17.",
                unit: .perTenThousand, decimals: 1, direction: .neither, dataset: "referrals", period: .yearToMarch31,
                origin: .ratePer10000(count: "referrals", population: "population_0_17", populationYearOffset: -1),
                pooling: .ratePer10000(count: "referrals", population: "population_0_17", populationYearOffset: -1)),
        Measure(id: "rereferrals", label: "Re-referrals within 12 months",
                description: "Referrals in the year to 31 March within 12 months of a previous referral.",
                unit: .count, decimals: 0, direction: .neither, dataset: "referrals", period: .yearToMarch31,
                origin: .published(column: "rereferral_count", filter: nil), pooling: .sum),
        Measure(id: "rereferral_rate", label: "Re-referrals within 12 months (%)",
                description: "Referrals in the year to 31 March that were within 12 months of a previous referral, as a percentage of referrals.",
                unit: .percent, decimals: 1, direction: .lowerIsBetter, dataset: "referrals", period: .yearToMarch31,
                origin: .published(column: "rereferral_percent", filter: nil),
                pooling: .ratio(numerator: ["rereferrals"], denominator: ["referrals"], scale: 100)),
        Measure(id: "cpp_starts", label: "Child protection plans started",
                description: "Child protection plans that started in the year to 31 March.",
                unit: .count, decimals: 0, direction: .neither, dataset: "cpp_starts", period: .yearToMarch31,
                origin: .published(column: "CPP_start", filter: nil), pooling: .sum),
        Measure(id: "cpp_subsequent", label: "Second or subsequent child protection plans",
                description: "Child protection plans started in the year to 31 March that were a second or subsequent plan.",
                unit: .count, decimals: 0, direction: .neither, dataset: "cpp_starts", period: .yearToMarch31,
                origin: .published(column: "CPP_subsequent", filter: nil), pooling: .sum),
        Measure(id: "cpp_subsequent_rate", label: "Second or subsequent child protection plans (%)",
                description: "Child protection plans started in the year to 31 March that were a second or subsequent plan, as a percentage of plans started.",
                unit: .percent, decimals: 1, direction: .lowerIsBetter, dataset: "cpp_starts", period: .yearToMarch31,
                origin: .published(column: "CPP_subsequent_percent", filter: nil),
                pooling: .ratio(numerator: ["cpp_subsequent"], denominator: ["cpp_starts"], scale: 100)),
        Measure(id: "cpp_count", label: "Children on child protection plans", description: "Child protection plans open at 31 March.",
                unit: .count, decimals: 0, direction: .neither, dataset: "cpp_at_31_march", period: .march31,
                origin: .published(column: "CPP_At31", filter: nil), pooling: .sum),
        Measure(id: "cpp_rate", label: "Child protection plans per 10,000 children",
                description: "Child protection plans open at 31 March per 10,000 children aged 0 to 17.",
                unit: .perTenThousand, decimals: 1, direction: .neither, dataset: "cpp_at_31_march", period: .march31,
                origin: .ratePer10000(count: "cpp_count", population: "population_0_17", populationYearOffset: -1),
                pooling: .ratePer10000(count: "cpp_count", population: "population_0_17", populationYearOffset: -1)),

        // DfE Children looked after.
        Measure(id: "cla_count", label: "Children looked after", description: "Children looked after at 31 March.",
                unit: .count, decimals: 0, direction: .neither, dataset: "children_looked_after", period: .march31,
                origin: .published(column: "children_count", filter: lookedAfterAt31March), pooling: .sum),
        Measure(id: "cla_rate", label: "Children looked after per 10,000 children",
                description: "Children looked after at 31 March per 10,000 children aged 0 to 17, as DfE publishes it.",
                unit: .perTenThousand, decimals: 0, direction: .neither, dataset: "children_looked_after", period: .march31,
                origin: .published(column: "rate_per_10000", filter: lookedAfterAt31March),
                pooling: .ratePer10000(count: "cla_count", population: "population_0_17", populationYearOffset: -1)),
        Measure(id: "cla_sw_children", label: "Children looked after (social worker changes counted)",
                description: "Children looked after at 31 March whose social workers during the year DfE counted: the base of cla_3plus_sw_rate.",
                unit: .count, decimals: 0, direction: .neither, dataset: "cla_social_workers", period: .march31,
                origin: .published(column: "number", filter: DatasetFilter("sw_stability", "Total children")), pooling: .sum),
        Measure(id: "cla_3plus_sw", label: "Children looked after with 3 or more social workers",
                description: "Children looked after at 31 March who had 3 or more social workers during the year to 31 March.",
                unit: .count, decimals: 0, direction: .neither, dataset: "cla_social_workers", period: .yearToMarch31,
                origin: .published(column: "number", filter: threeOrMoreSocialWorkers), pooling: .sum),
        Measure(id: "cla_3plus_sw_rate", label: "Children looked after with 3 or more social workers (%)",
                description: "Children looked after at 31 March who had 3 or more social workers during the year, as a percentage of those children.",
                unit: .percent, decimals: 0, direction: .lowerIsBetter, dataset: "cla_social_workers", period: .yearToMarch31,
                origin: .published(column: "percentage", filter: threeOrMoreSocialWorkers),
                pooling: .ratio(numerator: ["cla_3plus_sw"], denominator: ["cla_sw_children"], scale: 100)),

        // ONS, as DfE uses it for its rates.
        Measure(id: "population_0_17", label: "Children aged 0 to 17", description: "ONS mid-year estimate of the population aged 0 to 17.",
                unit: .count, decimals: 0, direction: .neither, dataset: "population", period: .midYear,
                origin: .published(column: "population_estimate", filter: DatasetFilter("age_group", "Children aged 0 to 17 years")), pooling: .sum),
    ]

    static let lookedAfterAt31March = DatasetFilter("population_type", "Children looked after on 31 March each year")
    static let threeOrMoreSocialWorkers = DatasetFilter("sw_stability", "3 or more social workers during the year")

    private static let byID: [String: Measure] = Dictionary(uniqueKeysWithValues: measures.map { ($0.id, $0) })
    private static let datasetByID: [String: Dataset] = Dictionary(uniqueKeysWithValues: datasets.map { ($0.id, $0) })

    public static func measure(_ id: String) -> Measure? { byID[id] }
    public static func dataset(_ id: String) -> Dataset? { datasetByID[id] }

    /// The measures of a dataset, in catalogue order.
    public static func measures(in dataset: String) -> [Measure] { measures.filter { $0.dataset == dataset } }

    /// The measures a dataset's records store (published ones; computed ones are derived).
    static func storedMeasureIDs(in dataset: String) -> [String] { storedByDataset[dataset] ?? [] }

    private static let storedByDataset: [String: [String]] = Dictionary(uniqueKeysWithValues: datasets.map { dataset in
        (dataset.id, measures.filter { $0.dataset == dataset.id && !$0.isComputed }.map(\.id))
    })

    /// The datasets whose every column (and filter column) a header has.
    static func datasets(matching header: CSVHeader) -> [Dataset] {
        datasets.filter { dataset in
            dataset.id != "workforce" && !dataset.columns.isEmpty && dataset.columns.allSatisfy { entry in
                header.contains(entry.column) && (entry.filter.map { header.contains($0.column) } ?? true)
            }
        }
    }
}
