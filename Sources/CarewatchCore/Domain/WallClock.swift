/// Where the store and the API read the date and time: when a change was committed
/// (`updated_at`), what "today" is for the rules that refuse dates in the future, and the
/// default `as_of` of statistics. The server reads the system clock; tests pin one instant so
/// that a rule such as "no workforce year after the current reporting year" gives the same
/// answer on every day the suite runs.
public struct WallClock: Sendable, Equatable {
    private let pinned: Timestamp?

    /// The system's real-time clock (UTC).
    public static let system = WallClock(pinned: nil)

    /// A clock that always reads `instant`.
    public static func fixed(_ instant: Timestamp) -> WallClock { WallClock(pinned: instant) }

    private init(pinned: Timestamp?) { self.pinned = pinned }

    public func now() -> Timestamp { pinned ?? Timestamp.now() }

    /// Today's date in UTC.
    public var today: CalendarDate { now().date }

    /// The latest workforce census year that can have figures today (see `reportingYear(on:)`).
    public var reportingYear: Int { WallClock.reportingYear(on: today) }

    /// Workforce figures are as at 30 September, so a year's figures can exist only once its
    /// 30 September has passed: the current reporting year is this year from 1 October, and
    /// last year before that.
    public static func reportingYear(on date: CalendarDate) -> Int {
        date.month >= 10 ? date.year : date.year - 1
    }
}
