extension Inspection {
    static let inputFields: Set<String> = ["id", "council", "framework", "type", "visit_theme", "started", "published", "overall",
                                           "judgements", "summary", "report_url", "source"]
    static let storageFields: Set<String> = inputFields.union(["version"])
    static let judgementFields: Set<String> = ["help_and_protection", "children_in_care", "care_leavers", "leadership"]
    /// Longest text per field, in code points (`TextRules`).
    static let textLimits = ["type": 200, "visit_theme": 500, "summary": 20_000, "report_url": 2000, "source": 500]

    /// Years a date may fall in; anything else is a typo (`0218-04-17`) rather than history.
    public static let plausibleYears = 2000...2100

    /// Decodes a client document. `id` may be absent (the store generates one); `council`
    /// may be absent when the URL names it (`defaultCouncil`).
    public init(json: JSONValue, defaultCouncil: String? = nil) throws(ValidationError) {
        try self.init(json: json, defaultCouncil: defaultCouncil, storage: false)
    }

    init(json: JSONValue, defaultCouncil: String? = nil, storage: Bool) throws(ValidationError) {
        var reader = FieldReader(json, known: storage ? Inspection.storageFields : Inspection.inputFields)
        let id = reader.string("id") ?? ""
        let council = reader.string("council", required: defaultCouncil == nil) ?? defaultCouncil
        let framework = reader.enumeration("framework", Framework.self, required: true)
        let type = reader.string("type")
        let visitTheme = reader.string("visit_theme")
        let started = reader.date("started")
        let published = reader.date("published")
        let overall = reader.enumeration("overall", Grade.self)
        var judgements = Judgements()
        if let value = reader.present("judgements", required: false) {
            var inner = FieldReader(value, known: Inspection.judgementFields, prefix: "judgements.")
            judgements.helpAndProtection = inner.enumeration("help_and_protection", Grade.self)
            judgements.childrenInCare = inner.enumeration("children_in_care", Grade.self)
            judgements.careLeavers = inner.enumeration("care_leavers", Grade.self)
            judgements.leadership = inner.enumeration("leadership", Grade.self)
            reader.errors += inner.errors
        }
        let summary = reader.string("summary")
        let reportURL = reader.string("report_url")
        let source = reader.string("source")
        let version = storage ? reader.uint64("version") ?? 0 : 0
        guard let council, let framework else { throw ValidationError(reader.errors) }
        self.init(id: id, council: council, framework: framework, type: type, visitTheme: visitTheme, started: started,
                  published: published, overall: overall, judgements: judgements, summary: summary, reportURL: reportURL,
                  source: source, version: version)
        let errors = reader.errors + (storage ? [] : validate())
        if !errors.isEmpty { throw ValidationError(errors) }
    }

    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if !id.isEmpty && !Inspection.isValidID(id) {
            errors.append(FieldError(field: "id", message: "must be 1 to 64 characters from A-Z a-z 0-9 . _ -"))
        }
        if council.isEmpty { errors.append(FieldError(field: "council", message: "must not be empty")) }
        for (field, date) in [("started", started), ("published", published)] {
            if let date, !Inspection.plausibleYears.contains(date.year) {
                errors.append(FieldError(field: field, message: "must be between \(Inspection.plausibleYears.lowerBound) and \(Inspection.plausibleYears.upperBound)"))
            }
        }
        if let started, let published, published < started {
            errors.append(FieldError(field: "published", message: "must not be before started (\(started))"))
        }
        let grades: [(String, Grade?)] = [
            ("overall", overall), ("judgements.help_and_protection", judgements.helpAndProtection),
            ("judgements.children_in_care", judgements.childrenInCare), ("judgements.care_leavers", judgements.careLeavers),
            ("judgements.leadership", judgements.leadership),
        ]
        if framework.isVisit {
            for (field, grade) in grades where grade != nil {
                errors.append(FieldError(field: field, message: "must be null: a \(framework.rawValue) carries no grade"))
            }
        } else if framework == .ilacs {
            for (field, grade) in grades where grade == .adequate {
                errors.append(FieldError(field: field, message: "\"adequate\" belongs to older frameworks, not ilacs"))
            }
        }
        if let reportURL, !Inspection.isReportURL(reportURL) {
            errors.append(FieldError(field: "report_url", message: "must be an http or https URL with a host and no spaces"))
        }
        for (field, text) in [("type", type), ("visit_theme", visitTheme), ("summary", summary), ("report_url", reportURL), ("source", source)] {
            errors += TextRules.errors(field, text, limit: Inspection.textLimits[field]!, lineBreaks: field == "summary")
        }
        return errors
    }

    /// An inspection cannot have started or been published after `today`: such a date is a
    /// typo, and would make the record its council's latest grade ahead of time.
    public func futureDateErrors(today: CalendarDate) -> [FieldError] {
        var errors: [FieldError] = []
        for (field, date) in [("started", started), ("published", published)] {
            if let date, date > today { errors.append(FieldError(field: field, message: "\(date) is after today (\(today))")) }
        }
        return errors
    }

    /// `http://` or `https://`, a host, and no white space or control characters anywhere
    /// (the pattern openapi.yaml gives).
    static func isReportURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        guard let scheme = ["https://", "http://"].first(where: { lowered.hasPrefix($0) }) else { return false }
        let rest = text.unicodeScalars.dropFirst(scheme.count)
        guard let first = rest.first, !["/", "?", "#"].contains(first) else { return false }
        return !rest.contains { $0.properties.isWhitespace || $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
    }

    public static func isValidID(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard (1...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte &- 48 < 10
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    public func writeFields(into writer: inout JSONWriter) {
        writer.field("id", id)
        writer.field("council", council)
        writer.field("framework", framework.rawValue)
        writer.field("type", type)
        writer.field("visit_theme", visitTheme)
        writer.field("started", started?.description)
        writer.field("published", published?.description)
        writer.field("overall", overall?.rawValue)
        writer.key("judgements")
        writer.beginObject()
        writer.field("help_and_protection", judgements.helpAndProtection?.rawValue)
        writer.field("children_in_care", judgements.childrenInCare?.rawValue)
        writer.field("care_leavers", judgements.careLeavers?.rawValue)
        writer.field("leadership", judgements.leadership?.rawValue)
        writer.endObject()
        writer.field("summary", summary)
        writer.field("report_url", reportURL)
        writer.field("source", source)
    }
}
