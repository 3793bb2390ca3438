/// The levels of DfE's tidy files (`geographic_level`).
public enum GeographicLevel: String, Sendable, CaseIterable, Comparable {
    case national
    case regional
    case localAuthority = "local_authority"

    /// DfE's spelling in `geographic_level`.
    init?(published text: String) {
        switch text {
        case "National": self = .national
        case "Regional": self = .regional
        case "Local authority": self = .localAuthority
        default: return nil
        }
    }

    public static func < (lhs: GeographicLevel, rhs: GeographicLevel) -> Bool {
        let order: [GeographicLevel] = [.national, .regional, .localAuthority]
        return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
    }
}

/// GSS codes of the areas DfE publishes above councils, and of joint returns.
public enum AreaCode {
    public static let england = "E92000001"
    public static let innerLondon = "E13000001"
    public static let outerLondon = "E13000002"

    /// DfE's regions (E12) in the order of `Region`.
    public static func code(of region: Region) -> String {
        switch region {
        case .northEast: return "E12000001"
        case .northWest: return "E12000002"
        case .yorkshireAndTheHumber: return "E12000003"
        case .eastMidlands: return "E12000004"
        case .westMidlands: return "E12000005"
        case .eastOfEngland: return "E12000006"
        case .london: return "E12000007"
        case .southEast: return "E12000008"
        case .southWest: return "E12000009"
        }
    }

    /// The region of an E12 code.
    public static func region(of code: String) -> Region? { Region.allCases.first { self.code(of: $0) == code } }

    /// Codes a `regional` row may carry: the nine regions and DfE's Inner and Outer London.
    public static func isRegional(_ code: String) -> Bool {
        region(of: code) != nil || code == innerLondon || code == outerLondon
    }

    /// The area a user names above councils: England, a region or DfE's Inner and Outer
    /// London, by name in any case ("inner london") or by code (E92000001, E12000005,
    /// E13000001, in any case). Nil for anything else.
    public static func named(_ text: String) -> String? {
        let code = text.uppercased()
        if code == england || text.lowercased() == "england" { return england }
        if let region = Region(named: text) { return self.code(of: region) }
        if code == innerLondon || text.lowercased() == "inner london" { return innerLondon }
        if code == outerLondon || text.lowercased() == "outer london" { return outerLondon }
        return nil
    }

    /// DfE writes one row for councils that make a joint return: `E06000061 / E06000062`.
    public static let jointSeparator = " / "

    /// The councils of a joint return's code (one code for an ordinary council).
    public static func members(of code: String) -> [String] {
        guard code.contains(jointSeparator) else { return [code] }
        return code.split(separator: "/").map { $0.trimmingCharacters(in: " ") }
    }

    public static func isJoint(_ code: String) -> Bool { code.contains(jointSeparator) }
}

extension Region {
    /// A region as users name it: its name in any case ("west midlands") or its E12 code
    /// (E12000005, in any case), the two ways DfE's files and ONS name it.
    public init?(named text: String) {
        let lowered = text.lowercased()
        if let region = Region.allCases.first(where: { $0.rawValue.lowercased() == lowered }) ?? AreaCode.region(of: text.uppercased()) {
            self = region
        } else {
            return nil
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var slice = self
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

/// An authority that no longer exists but that published files still name (the 2021
/// neighbour model, workforce and children-in-need rows of earlier years), with the current
/// councils that took over its children's services.
public struct FormerAuthority: Sendable, Equatable {
    public let laCode: Int
    public let code: String
    public let name: String
    /// The day its successors took over.
    public let abolished: CalendarDate
    /// Current council codes.
    public let successors: [String]

    /// The reorganisations that the published files straddle (structural change orders of
    /// 2019, 2021 and 2023). Christchurch, a district of the old Dorset county, went to
    /// Bournemouth, Christchurch and Poole; the rest of the county became Dorset.
    public static let all: [FormerAuthority] = [
        FormerAuthority(laCode: 835, code: "E10000009", name: "Dorset (county, before 2019)", abolished: CalendarDate(year: 2019, month: 4, day: 1)!,
                        successors: ["E06000059", "E06000058"]),
        FormerAuthority(laCode: 836, code: "E06000029", name: "Poole", abolished: CalendarDate(year: 2019, month: 4, day: 1)!,
                        successors: ["E06000058"]),
        FormerAuthority(laCode: 837, code: "E06000028", name: "Bournemouth", abolished: CalendarDate(year: 2019, month: 4, day: 1)!,
                        successors: ["E06000058"]),
        FormerAuthority(laCode: 928, code: "E10000021", name: "Northamptonshire", abolished: CalendarDate(year: 2021, month: 4, day: 1)!,
                        successors: ["E06000061", "E06000062"]),
        FormerAuthority(laCode: 909, code: "E10000006", name: "Cumbria", abolished: CalendarDate(year: 2023, month: 4, day: 1)!,
                        successors: ["E06000063", "E06000064"]),
    ]

    public static func named(laCode: Int) -> FormerAuthority? { all.first { $0.laCode == laCode } }
    public static func named(code: String) -> FormerAuthority? { all.first { $0.code == code } }

    /// "abolished 1 April 2023; succeeded by Cumberland and Westmorland and Furness", with
    /// successor names from `name(of:)` (codes when unknown).
    public func summary(name: (String) -> String?) -> String {
        let names = successors.map { name($0) ?? $0 }
        let list = names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names.last!
        return "abolished \(abolished.longDescription); succeeded by \(list)"
    }
}

extension CalendarDate {
    /// `1 April 2023`.
    var longDescription: String {
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(day) \(months[month - 1]) \(year)"
    }
}
