import Foundation
import CarewatchCore
import HTTPTestClient
import TestFixtures
import XCTest
@testable import CarewatchAPI

/// The releases the embedded data was built from, and the revisions DfE made between its
/// three workforce releases, checked against a recount from the files themselves (read here
/// with a CSV reader of the test's own, not carewatch's importer).
final class ReleaseRevisionTests: APITestCase {
    static let workforceReleases = ["csww-indicators-2017-to-2023", "csww-indicators-2017-to-2024", "csww-indicators-2017-to-2025"]

    func testReleasesListTheOfficialFilesInTheOrderImported() throws {
        let releases = try server.all("/v1/releases")
        XCTAssertEqual(releases.map { $0["id"] as? String }.prefix(3).map { $0 ?? "" }, Self.workforceReleases)
        XCTAssertEqual(releases.count, 12)
        let sums = try String(decoding: RepositoryData.bytes(RepositoryData.root + "/SHA256SUMS"), as: UTF8.self)
        for release in releases {
            let file = release["file"] as? [String: Any] ?? [:]
            let name = file["name"] as? String ?? ""
            XCTAssertTrue(sums.contains("\(file["sha256"] as? String ?? "?")  sources/dfe/") && sums.contains(name), "\(name): the digest sha256sum gives")
            XCTAssertEqual(release["publisher"] as? String == nil, false)
        }
        let first = releases[0]
        XCTAssertEqual(first["title"] as? String, "Children's social work workforce, reporting year 2023")
        XCTAssertEqual(first["reporting_year"] as? Int, 2023)
        XCTAssertEqual(first["published"] as? String, "2024-02-29", "gov.uk's date for the 2023 release")
        XCTAssertTrue(first["published_note"] is NSNull)
        let second = releases[1]
        XCTAssertTrue(second["published"] is NSNull, "no date carewatch has not read")
        XCTAssertTrue((second["published_note"] as? String ?? "").contains("2025-02-27"))
        XCTAssertEqual(second["changed"] as? [String: Int], ["created": 163, "updated": 1121, "deleted": 0, "revised_figures": 14, "revised_rows": 8])
        XCTAssertEqual((releases[2]["changed"] as? [String: Int])?["revised_figures"], 9)
        XCTAssertEqual((releases[2]["changed"] as? [String: Int])?["revised_rows"], 8)

        let one = try server.get("/v1/releases/csww-indicators-2017-to-2024")
        XCTAssertEqual(one.status, 200)
        XCTAssertEqual(one.object["version"] as? Int, 4)
        XCTAssertEqual(try server.get("/v1/releases/nope").status, 404)
        XCTAssertEqual(try server.get("/v1/releases?format=csv").text.split(separator: "\r\n").count, 13)
    }

    /// Every revision carewatch lists between the releases is one the files show, and every
    /// one the files show (on the figures carewatch keeps) is listed, with old and new values
    /// as published: a number, or DfE's symbol.
    func testRevisionsBetweenTheWorkforceReleasesMatchARecountFromTheFiles() throws {
        let councils = try TestCSV.rows(RepositoryData.root + "/councils.csv")
        var codeOfLA: [String: String] = [:]
        for council in councils { codeOfLA[council["la_code"]!] = council["code"]! }
        let files = [RepositoryData.root + "/sources/dfe/releases/csww_indicators_2017_to_2023.csv",
                     RepositoryData.root + "/sources/dfe/releases/csww_indicators_2017_to_2024.csv",
                     RepositoryData.dfe]
        let measures = ["inpost_fte": "employed_fte", "agency_fte": "agency_fte", "agency_rate_fte": "agency_rate", "vacancy_fte": "vacancy_fte",
                        "vacancy_rate_fte": "vacancy_rate", "leavers_fte": "leavers_fte", "turnover_rate_fte": "turnover_rate",
                        "caseload_fte": "caseload", "absence_rate_fte": "absence_rate"]
        // Each file's rows by area (a council's current code; the joint returns' codes; a
        // region's; England's) and year.
        func table(_ path: String) throws -> [String: [String: String]] {
            var rows: [String: [String: String]] = [:]
            for row in try TestCSV.rows(path) {
                let area: String
                switch row["geographic_level"] {
                case "National": area = row["country_code"]!
                case "Regional": area = row["region_code"]!
                default:
                    let members = row["old_la_code"]!.components(separatedBy: " / ").map { codeOfLA[$0] }
                    // An authority since abolished (carewatch holds none of its rows) keeps its DfE number.
                    area = members.allSatisfy { $0 != nil } ? members.map { $0! }.joined(separator: " / ") : "abolished " + row["old_la_code"]!
                }
                rows["\(area)|\(row["time_period"]!)"] = row
            }
            return rows
        }
        let tables = try files.map(table)
        var allColumns: [(figures: Int, rows: Int)] = []
        for (index, release) in Self.workforceReleases.enumerated().dropFirst() {
            let before = tables[index - 1], after = tables[index]
            var expected: Set<String> = []
            var anyColumn = (figures: 0, rows: Set<String>())
            for (key, old) in before {
                let new = try XCTUnwrap(after[key], "\(key) is in every later release")
                for column in old.keys where !TestCSV.identity.contains(column) && !TestCSV.same(old[column]!, new[column]!) {
                    anyColumn.figures += 1
                    anyColumn.rows.insert(key)
                }
                for (column, measure) in measures where !key.hasPrefix("abolished") && !TestCSV.same(old[column]!, new[column]!) {
                    let parts = key.split(separator: "|")
                    expected.insert("\(parts[0])|\(parts[1])|\(measure)|\(TestCSV.cell(old[column]!))|\(TestCSV.cell(new[column]!))")
                }
            }
            allColumns.append((anyColumn.figures, anyColumn.rows.count))
            let listed = try server.all("/v1/revisions?release=\(release)")
            let got = Set(listed.map { revision in
                "\(revision["area"] as! String)|\(revision["year"] as! Int)|\(revision["measure"] as! String)|\(TestCSV.cell(revision["old"]!))|\(TestCSV.cell(revision["new"]!))"
            })
            XCTAssertEqual(got.count, listed.count, "no revision listed twice")
            XCTAssertEqual(got, expected, release)
            XCTAssertTrue(listed.allSatisfy { ($0["made_by"] as? [String: Any])?["release"] as? String == release })
        }
        // PROVENANCE.md counts every column of DfE's file (headcounts, starters, cases held…)
        // and every authority (one of the 48 is Northamptonshire's 2019 agency cover rate,
        // 114.1 → u: an authority abolished in 2021, a column carewatch does not keep); carewatch
        // keeps nine columns of the councils that exist, hence 14 and 9 revisions.
        XCTAssertEqual(allColumns.map(\.figures), [48, 19])
        XCTAssertEqual(allColumns.map(\.rows), [31, 14])
        XCTAssertEqual(try server.total("/v1/revisions?release=csww-indicators-2017-to-2024"), 14)
        XCTAssertEqual(try server.total("/v1/revisions?release=csww-indicators-2017-to-2025"), 9)
    }

    /// The revisions the issue names, and the filters.
    func testRevisionsAsPublishedAndFiltered() throws {
        func revisions(_ query: String) throws -> [String] {
            try server.all("/v1/revisions?\(query)").map { "\($0["area_name"] as? String ?? "?") \($0["year"] as! Int) \($0["measure"] as! String) \(TestCSV.cell($0["old"]!))→\(TestCSV.cell($0["new"]!))" }
        }
        XCTAssertEqual(try revisions("council=sunderland"), [
            "Sunderland 2023 agency_fte 0→low", "Sunderland 2023 agency_rate 0→low",
            "Sunderland 2024 leavers_fte 2→u", "Sunderland 2024 turnover_rate 0.9→u",
        ])
        XCTAssertEqual(try revisions("council=E06000023"), ["Bristol, City of 2024 absence_rate 1.9→u"])
        XCTAssertEqual(try revisions("measure=turnover_rate&release=csww-indicators-2017-to-2025"), [
            "Sunderland 2024 turnover_rate 0.9→u", "England 2024 turnover_rate 13.8→13.9", "North East 2024 turnover_rate 12.6→14",
        ], "in the order the release changed them: councils' rows, then England's and the regions'")
        let all = try server.all("/v1/revisions")
        XCTAssertEqual(all.count, 23)
        let since = all[10]["seq"] as! Int
        XCTAssertEqual(try server.all("/v1/revisions?since=\(since)").count, all.filter { ($0["seq"] as! Int) > since }.count)
        XCTAssertEqual(try server.all("/v1/revisions", limit: 5).count, 23, "pages follow one another without loss")

        let csv = try server.get("/v1/revisions?council=sunderland&format=csv")
        XCTAssertEqual(csv.header("Content-Type"), "text/csv; charset=utf-8")
        let lines = csv.text.split(separator: "\r\n").map(String.init)
        XCTAssertEqual(lines.first, "seq,version,at,release,dataset,area,area_name,year,measure,old,new,made_by,key_id")
        XCTAssertTrue(lines[3].hasSuffix(",csww-indicators-2017-to-2025,workforce,E08000024,Sunderland,2024,leavers_fte,2,u,release,"), lines[3])

        for (query, parameter) in [("measure=nope", "measure"), ("measure=cin_rate", "measure"), ("release=nope", "release"),
                                   ("council=nowhere", "council"), ("since=-1", "since"), ("since=x", "since"), ("colour=red", "colour")] {
            let response = try server.get("/v1/revisions?\(query)")
            XCTAssertEqual(response.status, 400, query)
            XCTAssertEqual((response.object["errors"] as? [[String: Any]])?.first?["field"] as? String, parameter, query)
        }
    }

    /// An import of a file already imported changes nothing: no version, no ETag, no change in
    /// the feed, no revision, no new release. The same name with other content is a release of its own.
    func testIdenticalReimportMakesNoRevisionNoNewETagAndNoRelease() throws {
        let row = try server.get("/v1/councils/sunderland/workforce/2024")
        let latest = try server.get("/v1/changes?limit=1").object["latest"] as? Int
        let bytes = try RepositoryData.bytes(RepositoryData.dfe)
        let again = try server.write("POST", "/v1/import?source=csww_indicators_2017_to_2025.csv", raw: bytes, contentType: "text/csv")
        XCTAssertEqual(again.status, 200, again.text)
        XCTAssertEqual(again.object["release"] as? String, "csww-indicators-2017-to-2025")
        XCTAssertEqual(again.object["sha256"] as? String, "9e058bac193cc5b03f0d21ebe4259c8935d236dbf59f09d90b3e0916bfbca95f")
        XCTAssertEqual(again.object["changed"] as? [String: Int], ["councils": 0, "inspections": 0, "workforce": 0, "figures": 0, "neighbours": 0])
        XCTAssertEqual(try server.get("/v1/councils/sunderland/workforce/2024").header("ETag"), row.header("ETag"))
        XCTAssertEqual(try server.get("/v1/changes?limit=1").object["latest"] as? Int, latest)
        XCTAssertEqual(try server.total("/v1/revisions"), 23)
        XCTAssertEqual(try server.total("/v1/releases"), 12)

        // DfE corrects one figure and publishes the file under the same name: a new release,
        // its id told apart by its digest, with the one revision.
        var text = String(decoding: bytes, as: UTF8.self)
        let old = "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,394,E08000024,Sunderland,"
        let line = try XCTUnwrap(text.components(separatedBy: "\n").first { $0.hasPrefix(old) })
        var cells = line.components(separatedBy: ",")
        cells[14] = "3"   // leavers_fte: u → 3
        text = text.replacingOccurrences(of: line, with: cells.joined(separator: ","))
        let corrected = try server.write("POST", "/v1/import?source=csww_indicators_2017_to_2025.csv&published=2026-03-01", raw: Array(text.utf8), contentType: "text/csv")
        XCTAssertEqual(corrected.status, 200, corrected.text)
        let id = try XCTUnwrap(corrected.object["release"] as? String)
        XCTAssertTrue(id.hasPrefix("csww-indicators-2017-to-2025-") && id.count == "csww-indicators-2017-to-2025-".count + 12, id)
        let release = try server.get("/v1/releases/\(id)").object
        XCTAssertEqual(release["published"] as? String, "2026-03-01")
        XCTAssertEqual(release["changed"] as? [String: Int], ["created": 0, "updated": 1, "deleted": 0, "revised_figures": 1, "revised_rows": 1])
        let revision = try XCTUnwrap(try server.all("/v1/revisions?release=\(id)").first)
        XCTAssertEqual(revision["old"] as? String, "u")
        XCTAssertEqual(revision["new"] as? Double, 3)
        let madeBy = try XCTUnwrap(revision["made_by"] as? [String: Any])
        XCTAssertEqual(madeBy["key_id"] as? String, String(SHA256.hex(Array(TestServer.apiKey.utf8)).prefix(12)))
        XCTAssertEqual(madeBy["request"] as? String, "POST /v1/import")
        XCTAssertNotEqual(try server.get("/v1/councils/sunderland/workforce/2024").header("ETag"), row.header("ETag"))
    }
}

/// A small RFC 4180 reader, the test's own, so that the recount does not go through the
/// importer it checks.
enum TestCSV {
    static let identity: Set<String> = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
                                        "region_name", "old_la_code", "new_la_code", "la_name"]

    static func rows(_ path: String) throws -> [[String: String]] {
        var records: [[String]] = []
        var field = "", record: [String] = [], quoted = false, afterQuote = false
        for character in String(decoding: try RepositoryData.bytes(path), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n") {
            if quoted {
                if character == "\"" { quoted = false; afterQuote = true } else { field.append(character) }
                continue
            }
            switch character {
            case "\"": if afterQuote { field.append("\"") }; quoted = true
            case ",": record.append(field); field = ""
            case "\n": record.append(field); records.append(record); field = ""; record = []
            default: field.append(character)
            }
            afterQuote = false
        }
        if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
        let header = records.removeFirst().map { $0.replacingOccurrences(of: "\u{FEFF}", with: "") }
        return records.filter { $0.count == header.count }.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// The same figure: equal numbers, or the same text.
    static func same(_ a: String, _ b: String) -> Bool {
        if let x = Double(a), let y = Double(b) { return x == y }
        return a == b
    }

    /// A cell as one text: the number without a trailing .0, the symbol, or "null".
    static func cell(_ value: Any) -> String {
        switch value {
        case let number as Double: return number == number.rounded() ? String(Int(number)) : String(number)
        case let number as Int: return String(number)
        case let text as String:
            if let number = Double(text) { return cell(number) }
            return text.isEmpty ? "null" : text
        default: return "null"
        }
    }
}
