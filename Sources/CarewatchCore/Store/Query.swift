/// `sort=field` or `sort=-field`.
public struct SortKey: Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var descending: Bool

    public init(field: String, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }

    /// Parses the query-parameter form (`-published`).
    public init(parameter: String) {
        if parameter.hasPrefix("-") {
            self.init(field: String(parameter.dropFirst()), descending: true)
        } else {
            self.init(field: parameter, descending: false)
        }
    }

    public var description: String { descending ? "-" + field : field }
}

/// A query parameter the store cannot use; the API answers 400 naming `parameter`.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var parameter: String
    public var message: String

    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { "\(parameter): \(message)" }
}

/// One page of a list. `total` counts every match of the filters (not just this page);
/// `nextCursor` is nil on the last page.
public struct Page<T> {
    public var items: [T]
    public var total: Int
    public var nextCursor: String?

    public init(items: [T], total: Int, nextCursor: String?) {
        self.items = items
        self.total = total
        self.nextCursor = nextCursor
    }
}

extension Page: Sendable where T: Sendable {}

public enum PageLimit {
    public static let `default` = 50
    public static let range = 1...500
    /// No limit: every match in one page (the API streams such a page as CSV).
    public static let whole = Int.max
}

public struct CouncilQuery: Sendable, Equatable {
    public var region: Region?
    public var kind: CouncilKind?
    /// The latest overall grade.
    public var rating: Grade?
    /// Case-insensitive substring of the name.
    public var q: String?
    public var sort: SortKey?
    public var limit: Int
    public var cursor: String?

    /// `rating` sorts in grade order (`Grade.rank`: best first, councils not yet graded
    /// last either way); `updated_at` by when the record last changed.
    public static let sortFields = ["code", "name", "la_code", "slug", "region", "kind", "rating", "updated_at"]
    public static let defaultSort = SortKey(field: "code")

    public init(region: Region? = nil, kind: CouncilKind? = nil, rating: Grade? = nil, q: String? = nil, sort: SortKey? = nil,
                limit: Int = PageLimit.default, cursor: String? = nil) {
        self.region = region
        self.kind = kind
        self.rating = rating
        self.q = q
        self.sort = sort
        self.limit = limit
        self.cursor = cursor
    }
}

public struct InspectionQuery: Sendable, Equatable {
    /// Any name of a council (code, former code, la_code, slug).
    public var council: String?
    public var framework: Framework?
    public var overall: Grade?
    public var publishedFrom: CalendarDate?
    public var publishedTo: CalendarDate?
    public var sort: SortKey?
    public var limit: Int
    public var cursor: String?

    /// `overall` sorts in grade order (`Grade.rank`), visits last either way.
    public static let sortFields = ["published", "started", "council", "framework", "overall", "id"]
    /// Newest first.
    public static let defaultSort = SortKey(field: "published", descending: true)

    public init(council: String? = nil, framework: Framework? = nil, overall: Grade? = nil, publishedFrom: CalendarDate? = nil,
                publishedTo: CalendarDate? = nil, sort: SortKey? = nil, limit: Int = PageLimit.default, cursor: String? = nil) {
        self.council = council
        self.framework = framework
        self.overall = overall
        self.publishedFrom = publishedFrom
        self.publishedTo = publishedTo
        self.sort = sort
        self.limit = limit
        self.cursor = cursor
    }
}

public struct WorkforceQuery: Sendable, Equatable {
    public var year: Int?
    /// Only each council's newest row (`year=latest`).
    public var latestOnly = false
    public var region: Region?
    /// Any name of a council.
    public var council: String?
    public var sort: SortKey?
    public var limit: Int
    public var cursor: String?

    public static let sortFields = ["council", "year", "employed_fte", "agency_fte", "agency_rate", "vacancy_fte", "vacancy_rate",
                                    "leavers_fte", "turnover_rate", "caseload", "absence_rate", "asye_share"]
    public static let defaultSort = SortKey(field: "council")

    public init(year: Int? = nil, region: Region? = nil, council: String? = nil, sort: SortKey? = nil,
                limit: Int = PageLimit.default, cursor: String? = nil) {
        self.year = year
        self.region = region
        self.council = council
        self.sort = sort
        self.limit = limit
        self.cursor = cursor
    }
}
