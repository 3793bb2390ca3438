/// What carewatch knows of the publication of files it has seen, by SHA-256: the embedded
/// files, so that their releases say when they were published. Dates are recorded only
/// where the publisher's own page was read; otherwise `published` stays null and `note` says
/// what is known instead (the date DfE's dashboard repository received the file). Nothing
/// here is estimated.
enum KnownReleases {
    struct Publication {
        var published: CalendarDate?
        var note: String?
    }

    private static let dashboardRepository = "DfE's CSC_outcomes_and_enablers repository"
    private static let snapshotNote = "publication date not recorded here; the file was read from \(dashboardRepository) as at commit 2f5d11a (2026-04-27)"

    static let bySHA256: [String: Publication] = [
        // Children's social work workforce, reporting year 2023: gov.uk says "Published 29 February 2024".
        "98431e636ab8b955d24e577f1a258c8b8e67a75c1c010f13aacbcbb9080c0641": Publication(
            published: CalendarDate(iso: "2024-02-29"),
            note: nil),
        "370139c045d78a8b6e9d9afd51a7487de981d7485f393bff4ae122eef1c728aa": Publication(
            published: nil,
            note: "publication date not recorded here; \(dashboardRepository) received the file on 2025-02-27 (commit 7400a59)"),
        "9e058bac193cc5b03f0d21ebe4259c8935d236dbf59f09d90b3e0916bfbca95f": Publication(
            published: nil,
            note: "publication date not recorded here; \(dashboardRepository) received the file on 2026-03-20 (commit 10a68d8)"),
        "fc065f5eb33a97fcbf3b2df6a7a55e15dbf645ce9739ef0128776461602179ad": Publication(note: snapshotNote),
        "e548b10b4e2de4e8845c35eae274f6280636f5ff262f8189cbe62c320591f75d": Publication(note: snapshotNote),
        "8228ce8c6f55fb1ee59b65988dad56c79ea7703c03eedd5c0f8af5997d6686ce": Publication(note: snapshotNote),
        "06f9b63e9329925fea34d75a7f5e9c44d97fed4c1aed8cb2a302af21ef4113ab": Publication(note: snapshotNote),
        "b203854c252fc055df1dc05d649de63c2f18c0246b1bd2282c2f3632530f296d": Publication(note: snapshotNote),
        "1f496f2daafa387ba1e3205829e2264583bb54625afdc2fb120d9fd83eba8cb8": Publication(note: snapshotNote),
        "bd6420a0edd97dc2bfb25e70955399778a460483d5c417032b8fcb92230bfaa3": Publication(note: snapshotNote),
        "ee9328d1d0157050032acfd5a8fef6274fe6621e93b1da6b7098f7719eaca2b6": Publication(note: snapshotNote),
        "948bcdbe76f92e448e39ff4fc9f20b9dd382e0ce419e1f0da65877b99d950e22": Publication(note: snapshotNote),
    ]
}
