import HexEncoding

/// Deterministic inspection ids, so that the seed and a later import of the same published
/// row name the same record (imports stay idempotent), without a central counter.
public enum InspectionID {
    /// `insp-` + 8 hex digits of the 32-bit FNV-1a hash of council, framework, type and both
    /// dates, joined by `|` (nil as empty). These fields identify a published record: no two
    /// records in the official files share them.
    public static func derive(council: String, framework: Framework, type: String?, started: CalendarDate?, published: CalendarDate?, attempt: Int = 0) -> String {
        var key = "\(council)|\(framework.rawValue)|\(type ?? "")|\(started?.description ?? "")|\(published?.description ?? "")"
        // Hash collisions between different records are resolved by rehashing with a counter.
        if attempt > 0 { key += "|\(attempt)" }
        return "insp-" + Hex.string(fnv1a32(key.utf8), minimumDigits: 8)
    }

    public static func derive(for inspection: Inspection, attempt: Int = 0) -> String {
        derive(council: inspection.council, framework: inspection.framework, type: inspection.type,
               started: inspection.started, published: inspection.published, attempt: attempt)
    }

    /// A fresh random id (`insp-` + 8 hex digits) that `existing` does not report as taken, for
    /// a record a client creates without one. Random rather than derived, because a client may
    /// create two records with the same identifying fields on purpose and each needs its own id.
    public static func generate(existing: (String) -> Bool) -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let id = "insp-" + Hex.string(UInt32.random(in: .min ... .max, using: &generator), minimumDigits: 8)
            if !existing(id) { return id }
        }
    }

    static func fnv1a32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}

/// Hands out ids for new records, avoiding ids already used by other records.
struct InspectionIDAllocator {
    /// id → the derivation key of the record holding it.
    private var taken: [String: String] = [:]

    init(existing: [Inspection]) {
        for inspection in existing { taken[inspection.id] = Self.key(inspection) }
    }

    static func key(_ inspection: Inspection) -> String {
        "\(inspection.council)|\(inspection.framework.rawValue)|\(inspection.type ?? "")|\(inspection.started?.description ?? "")|\(inspection.published?.description ?? "")"
    }

    /// The derived id for `inspection`; if that id belongs to a different record, the next
    /// rehash. The same record always gets the same id back.
    mutating func assign(_ inspection: Inspection) -> String {
        let key = Self.key(inspection)
        var attempt = 0
        while true {
            let id = InspectionID.derive(for: inspection, attempt: attempt)
            if let holder = taken[id], holder != key {
                attempt += 1
                continue
            }
            taken[id] = key
            return id
        }
    }

    /// Records an explicitly given id.
    mutating func reserve(_ id: String, for inspection: Inspection) {
        taken[id] = Self.key(inspection)
    }
}
