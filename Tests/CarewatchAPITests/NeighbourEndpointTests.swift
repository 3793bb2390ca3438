import CarewatchCore
import Foundation
import HTTPTestClient
import TestFixtures
import XCTest

/// `GET /v1/councils/{council}/neighbours`: DfE's statistical neighbour lists, checked for
/// every council and both models against the published files themselves.
final class NeighbourEndpointTests: APITestCase {
    /// A published list: la_code → (rank-ordered neighbour la_codes, closeness bands).
    typealias Lists = [Int: [(laCode: Int, closeness: String)]]

    /// DfE's bands, spelt one way: "Very Close" and "Close " become "Very close" and "Close".
    static func band(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.prefix(1).uppercased() + trimmed.dropFirst().lowercased()
    }

    /// The 2025 file: `old_la_code`, then `SN_k` and `SN_kP` by name.
    static func lists2025() throws -> Lists {
        let records = try CSVReader.records(RepositoryData.bytes(RepositoryData.root + "/sources/dfe/neighbours/sn_model_2025_wide.csv"))
        let header = records[0].fields
        var lists: Lists = [:]
        for record in records.dropFirst() {
            func cell(_ name: String) -> String { record.fields[header.firstIndex(of: name)!] }
            lists[Int(cell("old_la_code"))!] = (1...10).map { (Int(cell("SN_\($0)"))!, band(cell("SN_\($0)P"))) }
        }
        return lists
    }

    /// The 2021 file: `LA number` in the third column, then code and band pairs from the sixth;
    /// blank rows and the "Old SNs:" heading have no number.
    static func lists2021() throws -> Lists {
        let records = try CSVReader.records(RepositoryData.bytes(RepositoryData.root + "/sources/dfe/neighbours/New_Statistical_Neighbour_Groupings_April_2021.csv"))
        var lists: Lists = [:]
        for record in records.dropFirst() {
            guard let number = Int(record.fields[2]) else { continue }
            lists[number] = (0..<10).map { (Int(record.fields[5 + 2 * $0])!, band(record.fields[6 + 2 * $0])) }
        }
        return lists
    }

    func testEveryCouncilsListEqualsTheSourceFileInBothModels() throws {
        let councils = try server.all("/v1/councils")
        XCTAssertEqual(councils.count, 153)
        let byLACode = Dictionary(uniqueKeysWithValues: councils.map { ($0["la_code"] as! Int, $0) })
        for (model, lists) in [("2025", try Self.lists2025()), ("2021", try Self.lists2021())] {
            var predecessors: [String] = []
            for council in councils {
                let laCode = council["la_code"] as! Int
                let response = try server.get("/v1/councils/\(council["code"]!)/neighbours?model=\(model)")
                assertStatus(response, 200)
                XCTAssertEqual(response.object["model"] as? String, model)
                var expected = lists[laCode]
                if expected == nil, let listOf = response.object["list_of"] as? [String: Any] {
                    // The 2021 model predates Cumberland and Westmorland and Furness: Cumbria's list stands in.
                    predecessors.append("\(council["name"]!) ← \(listOf["name"]!)")
                    expected = lists[listOf["la_code"] as! Int]
                } else {
                    XCTAssertTrue(response.object["list_of"] is NSNull, "\(model) \(laCode)")
                }
                let neighbours = response.object["neighbours"] as? [[String: Any]] ?? []
                let wanted = try XCTUnwrap(expected, "\(model): no list for \(laCode)")
                XCTAssertEqual(neighbours.map { $0["rank"] as? Int }, Array(1...10).map(Optional.some), "\(model) \(laCode)")
                XCTAssertEqual(neighbours.map { $0["la_code"] as? Int }, wanted.map(\.laCode), "\(model) \(laCode)")
                XCTAssertEqual(neighbours.map { $0["closeness"] as? String }, wanted.map(\.closeness), "\(model) \(laCode)")
                for neighbour in neighbours {
                    let number = neighbour["la_code"] as! Int
                    if let current = byLACode[number] {
                        XCTAssertEqual(neighbour["current"] as? Bool, true)
                        XCTAssertEqual(neighbour["code"] as? String, current["code"] as? String)
                        XCTAssertEqual(neighbour["name"] as? String, current["name"] as? String)
                    } else {
                        // Never dropped: an abolished authority, with its successors.
                        XCTAssertEqual(neighbour["current"] as? Bool, false, "\(model) \(laCode) → \(number)")
                        XCTAssertFalse((neighbour["succeeded_by"] as? [Any] ?? []).isEmpty, "\(model) \(laCode) → \(number)")
                    }
                }
            }
            XCTAssertEqual(predecessors.sorted(), model == "2021" ? ["Cumberland ← Cumbria", "Westmorland and Furness ← Cumbria"] : [], model)
        }
    }

    func testAbolishedAuthoritiesAreNamedWithTheirSuccessors() throws {
        let lincolnshire = try server.get("/v1/councils/lincolnshire/neighbours?model=2021")
        assertStatus(lincolnshire, 200)
        let cumbria = try XCTUnwrap((lincolnshire.object["neighbours"] as? [[String: Any]])?.first { $0["la_code"] as? Int == 909 })
        XCTAssertEqual(cumbria["name"] as? String, "Cumbria")
        XCTAssertEqual(cumbria["code"] as? String, "E10000006")
        XCTAssertEqual(cumbria["abolished"] as? String, "2023-04-01")
        XCTAssertEqual((cumbria["succeeded_by"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["Cumberland", "Westmorland and Furness"])

        // The lists of the authorities themselves (Northamptonshire, the pre-2019 Dorset
        // councils, Cumbria) are held too, as the export shows.
        let export = try XCTUnwrap(server.get("/v1/export").object["neighbours"] as? [[String: Any]])
        let held2021 = Set(export.filter { $0["model"] as? String == "2021" }.compactMap { $0["la_code"] as? Int })
        XCTAssertEqual(held2021.count, 156)
        XCTAssertTrue(held2021.isSuperset(of: [835, 836, 837, 909, 928]))
        let poole = try XCTUnwrap(export.first { $0["model"] as? String == "2021" && $0["la_code"] as? Int == 836 })
        XCTAssertEqual(poole["name"] as? String, "Poole (Pre LG)")
    }

    func testModelChoiceAndBadInput() throws {
        let latest = try server.get("/v1/councils/sandwell/neighbours")
        assertStatus(latest, 200)
        XCTAssertEqual(latest.object["model"] as? String, "2025", "the newest model is the default")
        XCTAssertEqual(latest.object["source"] as? String, "sn_model_2025_wide.csv")
        XCTAssertNotNil(latest.header("ETag"))
        assertStatus(try server.get("/v1/councils/sandwell/neighbours", headers: [("If-None-Match", latest.header("ETag")!)]), 304)

        let badModel = assertProblem(try server.get("/v1/councils/sandwell/neighbours?model=2019"), 400)
        XCTAssertEqual((badModel["errors"] as? [[String: Any]])?.first?["field"] as? String, "model")
        XCTAssertTrue((badModel["detail"] as? String ?? "").contains("2021, 2025"))
        assertProblem(try server.get("/v1/councils/sandwell/neighbours?model="), 400)
        assertProblem(try server.get("/v1/councils/sandwell/neighbours?modle=2021"), 400)
        assertProblem(try server.get("/v1/councils/sandwell/neighbours?format=csv"), 400)
        assertProblem(try server.get("/v1/councils/nowhere/neighbours"), 404)
    }

    func testANeighbourModelImportedFromDfEsFile() throws {
        // A revised model, published the way DfE publishes it, loads through POST /v1/import.
        var text = String(decoding: try RepositoryData.bytes(RepositoryData.root + "/sources/dfe/neighbours/sn_model_2025_wide.csv"), as: UTF8.self)
        text = text.replacingOccurrences(of: "\n333,Sandwell,8,West Midlands,336,Very close,810,", with: "\n333,Sandwell,8,West Midlands,810,Very close,336,")
        let response = try server.write("POST", "/v1/import?model=2027", raw: Array(text.utf8), contentType: "text/csv")
        assertStatus(response, 200)
        XCTAssertEqual(response.object["format"] as? String, "dfe_neighbours_csv")
        XCTAssertEqual((response.object["imported"] as? [String: Any])?["neighbours"] as? Int, 153)
        let sandwell = try server.get("/v1/councils/sandwell/neighbours")
        XCTAssertEqual(sandwell.object["model"] as? String, "2027", "the newest model is now the default")
        XCTAssertEqual((sandwell.object["neighbours"] as? [[String: Any]])?.prefix(2).compactMap { $0["la_code"] as? Int }, [810, 336])
        // The file does not say which model it is; without model= (or a file name) that is an error.
        let unnamed = assertProblem(try server.write("POST", "/v1/import", raw: Array(text.utf8), contentType: "text/csv"), 422)
        XCTAssertEqual((unnamed["errors"] as? [[String: Any]])?.first?["field"] as? String, "model")
        XCTAssertEqual((unnamed["errors"] as? [[String: Any]])?.first?["message"] as? String,
                       "this is a statistical neighbour file that does not say which model (year) it is: give model=2025, or source= a file name with the year")
        assertProblem(try server.write("POST", "/v1/import?model=Twenty%20Seven", raw: Array(text.utf8), contentType: "text/csv"), 400)
    }
}
