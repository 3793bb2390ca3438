/// The statistics over the store's current state, as the API's `/v1/stats/*` handlers ask for them.
extension RatingStatistics {
    public static func compute(_ state: StoreState, asOf: CalendarDate, basis: RatingBasis) -> RatingStatistics {
        compute(councils: state.councilsAll(), inspections: state.inspectionsAll(), asOf: asOf, basis: basis)
    }
}

extension WorkforceStatistics {
    public static func compute(_ state: StoreState, year: Int?, byRating: Bool, gradeAt: GradeAt) -> WorkforceStatistics {
        compute(councils: state.councilsAll(), workforce: state.workforceAll(), inspections: byRating ? state.inspectionsAll() : [],
                year: year, byRating: byRating, gradeAt: gradeAt)
    }
}
