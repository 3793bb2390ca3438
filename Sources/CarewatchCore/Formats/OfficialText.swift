/// Cell values as the official spreadsheets display them.
enum OfficialText {
    /// Ofsted's grade labels. Blank and ` -` (not applicable, e.g. no looked-after children on
    /// Scilly) mean no grade; `.invalid` is anything else.
    enum GradeCell: Equatable {
        case none
        case grade(Grade)
        case invalid
    }

    static func grade(_ text: String) -> GradeCell {
        let key = CSVHeader.normalise(text).lowercased()
        switch key {
        case "", "-", "n/a", "na", "not applicable": return .none
        case "outstanding": return .grade(.outstanding)
        case "good": return .grade(.good)
        case "requires improvement to be good", "requires improvement": return .grade(.requiresImprovement)
        case "adequate": return .grade(.adequate)
        case "inadequate": return .grade(.inadequate)
        default: return .invalid
        }
    }

    /// `dd/mm/yyyy` as the ODS files display their date cells; ISO `yyyy-mm-dd` is accepted too
    /// in case a spreadsheet program re-saved the export.
    static func date(_ text: String) -> CalendarDate? {
        let trimmed = CSVHeader.normalise(text)
        if let iso = CalendarDate(iso: trimmed) { return iso }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
              let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// Whole days from `a` to `b`.
    static func days(_ a: CalendarDate, _ b: CalendarDate) -> Int {
        Timestamp.daysSinceEpoch(b) - Timestamp.daysSinceEpoch(a)
    }
}
