import CarewatchCore
import Foundation
import HTTPTestClient
import XCTest

/// One slug rule for every way a council arrives: created, replaced or patched without a
/// slug, imported from a CSV file or a JSON document, or seeded. Each path is tried on the
/// same names in turn (the council removed in between, so no slug is taken twice).
final class SlugAgreementTests: APITestCase {
    static let names: [(name: String, slug: String)] = [
        ("Hove & Portslade", "hove-and-portslade"),
        ("Ynys Môn", "ynys-mon"),
        ("King's Lynn & West Norfolk", "kings-lynn-and-west-norfolk"),
        ("Bury St. Edmunds, Town of", "bury-st-edmunds-town-of"),
    ]
    static let code = "E06000099"

    private func body(_ name: String, slug: String? = nil) -> [String: Any] {
        var body: [String: Any] = ["code": Self.code, "la_code": 999, "name": name, "region": "East of England", "kind": "unitary"]
        if let slug { body["slug"] = slug }
        return body
    }

    private func storedSlug() throws -> String? {
        try server.get("/v1/councils/\(Self.code)").object["slug"] as? String
    }

    private func remove() throws {
        assertStatus(try server.delete("/v1/councils/\(Self.code)"), 204)
    }

    func testEveryPathDerivesTheSameSlug() throws {
        for (name, expected) in Self.names {
            XCTAssertEqual(Slug.derive(from: name), expected, name)
            var slugs: [String: String?] = [:]

            assertStatus(try server.post("/v1/councils", body(name)), 201)
            slugs["POST"] = try storedSlug()
            try remove()

            assertStatus(try server.post("/v1/councils", body(name, slug: "placeholder")), 201)
            assertStatus(try server.put("/v1/councils/\(Self.code)", body(name)), 200)
            slugs["PUT"] = try storedSlug()
            try remove()

            assertStatus(try server.post("/v1/councils", body(name, slug: "placeholder")), 201)
            assertStatus(try server.patch("/v1/councils/\(Self.code)", ["slug": NSNull()]), 200)
            slugs["PATCH slug null"] = try storedSlug()
            try remove()

            let csv = "code,la_code,name,region,kind,former_codes\n\(Self.code),999,\"\(name)\",East of England,unitary,\n"
            assertStatus(try server.write("POST", "/v1/import", raw: Array(csv.utf8), contentType: "text/csv"), 200)
            slugs["CSV import"] = try storedSlug()
            try remove()

            assertStatus(try server.write("POST", "/v1/import", json: ["councils": [body(name)]]), 200)
            slugs["JSON import"] = try storedSlug()
            try remove()

            for (path, slug) in slugs {
                XCTAssertEqual(slug, expected, "\(name) by \(path)")
            }
        }
        // The seed went through the CSV path; each embedded council's slug is its name's.
        for council in try server.all("/v1/councils") {
            let name = try XCTUnwrap(council["name"] as? String)
            XCTAssertEqual(council["slug"] as? String, Slug.derive(from: name), name)
        }
    }

    func testANameWithNothingToDeriveFromAsksForASlug() throws {
        assertInvalid(try server.post("/v1/councils", body("東京")), field: "slug")
        assertStatus(try server.post("/v1/councils", body("東京", slug: "tokyo")), 201)
    }
}
