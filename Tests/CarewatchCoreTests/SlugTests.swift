import XCTest
@testable import CarewatchCore

/// The one slug rule (`Slug.derive`), and that the embedded data follows it.
final class SlugTests: XCTestCase {
    func testTheRule() {
        let cases: [(String, String)] = [
            ("Brighton & Hove", "brighton-and-hove"),
            ("Brighton&Hove", "brighton-and-hove"),
            ("Ynys Môn", "ynys-mon"),
            ("Bro Morgannwg / Vale of Glamorgan", "bro-morgannwg-vale-of-glamorgan"),
            ("King's Lynn and West Norfolk", "kings-lynn-and-west-norfolk"),
            ("King’s Lynn", "kings-lynn"),
            ("  St. Helens -- & Co ", "st-helens-and-co"),
            ("Kingston upon Hull, City of", "kingston-upon-hull-city-of"),
            ("Stoke-on-Trent", "stoke-on-trent"),
            ("Ŵyddgrug Ŷ", "wyddgrug-y"),
            ("東京", ""),
            ("", ""),
        ]
        for (name, slug) in cases {
            XCTAssertEqual(Slug.derive(from: name), slug, name)
            if !slug.isEmpty { XCTAssertTrue(Slug.isValid(slug), slug) }
        }
    }

    func testLongNamesAreCutAtAWordWithinTheLimit() {
        let name = String(repeating: "Northamptonshire ", count: 12)
        let slug = Slug.derive(from: name)
        XCTAssertLessThanOrEqual(slug.utf8.count, Slug.maximumLength)
        XCTAssertTrue(Slug.isValid(slug), slug)
        XCTAssertTrue(slug.hasSuffix("-northamptonshire"), slug)
        let oneWord = Slug.derive(from: String(repeating: "a", count: 150))
        XCTAssertEqual(oneWord.utf8.count, Slug.maximumLength)
    }

    func testValidity() {
        for good in ["a", "sandwell", "kingston-upon-hull-city-of", "e08000028", String(repeating: "a", count: 100)] {
            XCTAssertTrue(Slug.isValid(good), good)
        }
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "ynys-môn", "a_b", String(repeating: "a", count: 101)] {
            XCTAssertFalse(Slug.isValid(bad), bad)
        }
    }

    func testEveryEmbeddedCouncilHasItsDerivedSlug() {
        for council in SeedData.defaultDocument().councils {
            XCTAssertEqual(council.slug, Slug.derive(from: council.name), council.name)
        }
    }
}
