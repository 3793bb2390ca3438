/// A council with children's services duties. `code` is its current ONS GSS code; it can
/// also be named by any former code, its DfE `la_code` or its `slug`.
public struct Council: Sendable, Equatable {
    public var code: String
    public var laCode: Int
    public var slug: String
    public var name: String
    public var region: Region
    public var kind: CouncilKind
    public var formerCodes: [String]
    /// When the record last changed (set by the store on every write, RFC 3339 UTC on the wire).
    public var updatedAt: Timestamp
    /// Monotonic version assigned by the store on every write; the basis of ETags and `If-Match`.
    public var version: UInt64

    public init(
        code: String, laCode: Int, slug: String, name: String, region: Region, kind: CouncilKind,
        formerCodes: [String] = [], updatedAt: Timestamp = Timestamp(secondsSince1970: 0), version: UInt64 = 0
    ) {
        self.code = code
        self.laCode = laCode
        self.slug = slug
        self.name = name
        self.region = region
        self.kind = kind
        self.formerCodes = formerCodes
        self.updatedAt = updatedAt
        self.version = version
    }
}

extension Council {
    /// Whether `other` says the same about the council: every field but the store's own
    /// `version` and `updatedAt`. A put of the same content is no change (no new version).
    public func hasSameContent(as other: Council) -> Bool {
        var same = other
        same.version = version
        same.updatedAt = updatedAt
        return self == same
    }
}

/// The nine English regions, spelt as DfE and the contract spell them.
public enum Region: String, Sendable, CaseIterable, Comparable {
    case northEast = "North East"
    case northWest = "North West"
    case yorkshireAndTheHumber = "Yorkshire and The Humber"
    case eastMidlands = "East Midlands"
    case westMidlands = "West Midlands"
    case eastOfEngland = "East of England"
    case london = "London"
    case southEast = "South East"
    case southWest = "South West"

    public static func < (lhs: Region, rhs: Region) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The kind of authority; the GSS code prefix must agree (E10 county, E08 metropolitan
/// district, E09 London borough or City of London, E06 unitary or Isles of Scilly).
public enum CouncilKind: String, Sendable, CaseIterable {
    case county
    case metropolitanDistrict = "metropolitan_district"
    case londonBorough = "london_borough"
    case unitary
    case cityOfLondon = "city_of_london"
    case islesOfScilly = "isles_of_scilly"
}
