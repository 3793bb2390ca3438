import XCTest
@testable import CarewatchCore

final class CoreValidationTests: XCTestCase {
    func json(_ text: String) -> JSONValue { try! JSONParser.parse(Array(text.utf8)) }

    func fields<T>(_ make: () throws -> T) -> [String] {
        do {
            _ = try make()
            return []
        } catch let error as ValidationError {
            return error.errors.map(\.field)
        } catch {
            XCTFail("unexpected \(error)")
            return []
        }
    }

    let goodCouncil = """
    {"code":"E08000028","la_code":333,"slug":"sandwell","name":"Sandwell","region":"West Midlands","kind":"metropolitan_district","former_codes":[]}
    """

    func councilFields(_ overrides: [String: String]) -> [String] {
        var object = json(goodCouncil).objectValue!
        for (key, value) in overrides { object[key] = value == "<absent>" ? nil : json(value) }
        return fields { try Council(json: .object(object)) }
    }

    func testCouncilDecodesAndIgnoresDerivedFields() throws {
        let council = try Council(json: json(goodCouncil.dropLast() + ",\"latest_inspection\":null,\"updated_at\":\"2026-01-01T00:00:00Z\"}"))
        XCTAssertEqual(council.code, "E08000028")
        XCTAssertEqual(council.laCode, 333)
        XCTAssertEqual(council.region, .westMidlands)
        let withoutSlug = try Council(json: json(#"{"code":"E06000010","la_code":810,"name":"Kingston upon Hull, City of","region":"Yorkshire and The Humber","kind":"unitary"}"#))
        XCTAssertEqual(withoutSlug.slug, "kingston-upon-hull-city-of")
    }

    func testCouncilRules() {
        XCTAssertEqual(councilFields(["code": "\"E0800002\""]), ["code"])
        XCTAssertEqual(councilFields(["code": "\"W08000028\""]), ["code"])
        XCTAssertEqual(councilFields(["code": "\"E10000028\""]), ["kind"])          // E10 is a county
        XCTAssertEqual(councilFields(["kind": "\"county\""]), ["kind"])
        XCTAssertEqual(councilFields(["code": "\"E09000001\"", "kind": "\"city_of_london\""]), [])
        XCTAssertEqual(councilFields(["code": "\"E06000053\"", "kind": "\"isles_of_scilly\""]), [])
        XCTAssertEqual(councilFields(["code": "\"E09000001\"", "kind": "\"london_borough\""]), [])
        XCTAssertEqual(councilFields(["code": "\"E06000001\"", "kind": "\"london_borough\""]), ["kind"])
        XCTAssertEqual(councilFields(["slug": "\"Sandwell\""]), ["slug"])
        XCTAssertEqual(councilFields(["slug": "\"sand well\""]), ["slug"])
        XCTAssertEqual(councilFields(["slug": "\"-sandwell\""]), ["slug"])
        XCTAssertEqual(councilFields(["slug": "\"sand--well\""]), ["slug"])
        XCTAssertEqual(councilFields(["slug": "\"sandwell-2\""]), [])
        XCTAssertEqual(councilFields(["region": "\"Midlands\""]), ["region"])
        XCTAssertEqual(councilFields(["region": "\"Inner London\""]), ["region"])
        XCTAssertEqual(councilFields(["la_code": "99"]), ["la_code"])
        XCTAssertEqual(councilFields(["la_code": "1000"]), ["la_code"])
        XCTAssertEqual(councilFields(["la_code": "333.5"]), ["la_code"])
        XCTAssertEqual(councilFields(["la_code": "\"333\""]), ["la_code"])
        XCTAssertEqual(councilFields(["name": "\"  \""]), ["name"])
        XCTAssertEqual(councilFields(["name": "<absent>"]), ["name"])
        XCTAssertEqual(councilFields(["former_codes": "[\"E08000016\", \"bad\", \"E08000016\"]"]), ["former_codes[1]", "former_codes[2]"])
        XCTAssertEqual(councilFields(["former_codes": "[\"E08000028\"]"]), ["former_codes[0]"])
        XCTAssertEqual(councilFields(["former_codes": "\"E08000016\""]), ["former_codes"])
        XCTAssertEqual(councilFields(["colour": "\"red\""]), ["colour"])
        XCTAssertEqual(fields { try Council(json: .array([])) }, ["body"])
        // Several problems at once, all named.
        XCTAssertEqual(Set(councilFields(["code": "\"X\"", "la_code": "5", "slug": "\"A\"", "extra": "1"])), ["code", "la_code", "slug", "extra"])
    }

    let goodInspection = """
    {"council":"E08000028","framework":"ilacs","type":"ILACS","started":"2018-02-05","published":"2018-04-17","overall":"inadequate",
     "judgements":{"help_and_protection":"inadequate","children_in_care":"requires_improvement","leadership":"inadequate","care_leavers":null}}
    """

    func inspectionFields(_ overrides: [String: String]) -> [String] {
        var object = json(goodInspection).objectValue!
        for (key, value) in overrides { object[key] = value == "<absent>" ? nil : json(value) }
        return fields { try Inspection(json: .object(object)) }
    }

    func testInspectionRules() throws {
        let inspection = try Inspection(json: json(goodInspection))
        XCTAssertEqual(inspection.id, "")
        XCTAssertEqual(inspection.judgements.childrenInCare, .requiresImprovement)
        XCTAssertEqual(inspectionFields(["published": "\"2018-01-01\""]), ["published"])          // before started
        XCTAssertEqual(inspectionFields(["started": "null"]), [])                                  // pre-2018 records
        XCTAssertEqual(inspectionFields(["published": "null"]), [])
        XCTAssertEqual(inspectionFields(["started": "\"2023-02-29\""]), ["started"])              // no such day
        XCTAssertEqual(inspectionFields(["started": "\"2018-2-5\""]), ["started"])
        XCTAssertEqual(inspectionFields(["published": "\"1899-04-17\"", "started": "null"]), ["published"])
        XCTAssertEqual(inspectionFields(["overall": "\"excellent\""]), ["overall"])
        XCTAssertEqual(inspectionFields(["overall": "\"adequate\""]), ["overall"])                // not an ILACS grade
        XCTAssertEqual(inspectionFields(["framework": "\"sif\"", "overall": "\"adequate\""]), [])
        XCTAssertEqual(inspectionFields(["framework": "\"ofsted\""]), ["framework"])
        XCTAssertEqual(inspectionFields(["framework": "\"focused_visit\""]), ["overall", "judgements.help_and_protection", "judgements.children_in_care", "judgements.leadership"])
        XCTAssertEqual(fields { try Inspection(json: self.json(#"{"council":"E08000028","framework":"monitoring_visit","visit_theme":"Care leavers","published":null}"#)) }, [])
        XCTAssertEqual(inspectionFields(["judgements": "{\"safety\":\"good\"}"]), ["judgements.safety"])
        XCTAssertEqual(inspectionFields(["judgements": "{\"leadership\":\"great\"}"]), ["judgements.leadership"])
        XCTAssertEqual(inspectionFields(["judgements": "[]"]), ["judgements"])
        XCTAssertEqual(inspectionFields(["summary": "5"]), ["summary"])
        XCTAssertEqual(inspectionFields(["report_url": "\"ftp://x\""]), ["report_url"])
        XCTAssertEqual(inspectionFields(["id": "\"has space\""]), ["id"])
        XCTAssertEqual(inspectionFields(["council": "<absent>"]), ["council"])
        XCTAssertEqual(fields { try Inspection(json: self.json(#"{"framework":"ilacs"}"#), defaultCouncil: "sandwell") }, [])
        XCTAssertEqual(inspectionFields(["grade": "\"good\""]), ["grade"])
    }

    func workforceFields(_ text: String) -> [String] {
        fields { try WorkforceYear(json: self.json(text)) }
    }

    func testWorkforceRules() throws {
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018,"employed_fte":213.6,"agency_fte":96,"agency_rate":31.0,"vacancy_fte":75,"vacancy_rate":26.0,"leavers_fte":40.2,"turnover_rate":18.8,"caseload":17.9,"absence_rate":3.1,"asye_share":null}"#), [])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018,"agency_rate":100.5}"#), ["agency_rate"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018,"absence_rate":-1}"#), ["absence_rate"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018,"employed_fte":-0.5}"#), ["employed_fte"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018,"caseload":-2}"#), ["caseload"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":1999}"#), ["year"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2101}"#), ["year"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018.5}"#), ["year"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":"2018"}"#), ["year"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018,"agency_fte":"10"}"#), ["agency_fte"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018,"headcount":10}"#), ["headcount"])
        XCTAssertEqual(workforceFields(#"{"year":2018}"#), ["council"])
        // A rate the FTEs contradict (this is where "agency above the total" shows).
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018,"employed_fte":100,"agency_fte":10,"agency_rate":50}"#), ["agency_rate"])
        XCTAssertEqual(workforceFields(#"{"council":"E08000028","year":2018,"employed_fte":10,"leavers_fte":20}"#), ["leavers_fte"])
        XCTAssertEqual(Set(workforceFields(#"{"council":"E08000028","year":3000,"agency_rate":101,"vacancy_fte":-1}"#)), ["year", "agency_rate", "vacancy_fte"])
    }

    func testWorkforceRatesDerivedWhenMissing() throws {
        let row = try WorkforceYear(json: json(#"{"council":"E08000028","year":2018,"employed_fte":213.6,"agency_fte":96,"vacancy_fte":75,"leavers_fte":40.2}"#))
        XCTAssertEqual(row.agencyRate, 31.0)
        XCTAssertEqual(row.vacancyRate, 26.0)
        XCTAssertEqual(row.turnoverRate, 18.8)
        XCTAssertNil(row.caseload)
        let given = try WorkforceYear(json: json(#"{"council":"E08000028","year":2018,"employed_fte":213.6,"agency_fte":96,"agency_rate":30.5}"#))
        XCTAssertEqual(given.agencyRate, 30.5)   // a given figure is kept
        let nothing = try WorkforceYear(json: json(#"{"council":"E08000028","year":2025}"#))
        XCTAssertNil(nothing.agencyRate)         // never invented
    }

    func testEncodingMatchesContractShape() throws {
        var council = sampleCouncil()
        council.updatedAt = Timestamp(rfc3339: "2026-11-23T10:00:00Z")!
        let latest = Inspection(id: "insp-7f3a9c", council: "E08000028", framework: .ilacs, published: CalendarDate(iso: "2018-04-17"), overall: .inadequate)
        var writer = JSONWriter()
        council.writeJSON(into: &writer, latest: latest)
        XCTAssertEqual(String(decoding: writer.bytes, as: UTF8.self),
                       #"{"code":"E08000028","la_code":333,"slug":"sandwell","name":"Sandwell","region":"West Midlands","kind":"metropolitan_district","former_codes":[],"latest_inspection":{"id":"insp-7f3a9c","framework":"ilacs","published":"2018-04-17","overall":"inadequate"},"updated_at":"2026-11-23T10:00:00Z"}"#)
        // A GET body can be PUT back.
        XCTAssertEqual(try Council(json: JSONParser.parse(writer.bytes)).code, "E08000028")
        let row = WorkforceYear(council: "E08000028", year: 2018, employedFTE: 213.6, agencyFTE: 96, agencyRate: 31)
        var rowWriter = JSONWriter()
        row.writeJSON(into: &rowWriter)
        XCTAssertEqual(String(decoding: rowWriter.bytes, as: UTF8.self),
                       #"{"council":"E08000028","year":2018,"employed_fte":213.6,"agency_fte":96,"agency_rate":31,"vacancy_fte":null,"vacancy_rate":null,"leavers_fte":null,"turnover_rate":null,"caseload":null,"absence_rate":null,"asye_share":null,"source":null,"suppressed":{}}"#)
        // A withheld figure: null, with DfE's symbol in `suppressed`, in figure order.
        var withheld = row
        withheld.suppressed = ["turnover_rate": "u", "leavers_fte": "u"]
        var withheldWriter = JSONWriter()
        withheld.writeJSON(into: &withheldWriter)
        XCTAssertTrue(String(decoding: withheldWriter.bytes, as: UTF8.self).hasSuffix(#""source":null,"suppressed":{"leavers_fte":"u","turnover_rate":"u"}}"#))
        XCTAssertEqual(try WorkforceYear(json: JSONParser.parse(withheldWriter.bytes)), withheld)
        var inspectionWriter = JSONWriter()
        latest.writeJSON(into: &inspectionWriter)
        XCTAssertEqual(try Inspection(json: JSONParser.parse(inspectionWriter.bytes)), latest)
    }
}
