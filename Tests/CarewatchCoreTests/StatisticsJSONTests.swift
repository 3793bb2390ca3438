import Foundation
import XCTest
@testable import CarewatchCore

/// The response shapes that the API and openapi.yaml follow (see .build-notes/STATS_SHAPES.md).
final class StatisticsJSONTests: XCTestCase {
    func testRatingStatisticsShape() throws {
        let seed = SeedData.defaultDocument()
        let stats = RatingStatistics.compute(councils: seed.councils, inspections: seed.inspections, asOf: CalendarDate(iso: "2025-03-31")!, basis: .ofsted)
        var writer = JSONWriter()
        stats.writeJSON(into: &writer)
        let json = try JSONParser.parse(writer.bytes)
        XCTAssertEqual(json.objectValue?.keys, ["as_of", "basis", "published_by", "national", "regions"])
        XCTAssertEqual(json["as_of"], "2025-03-31")
        XCTAssertEqual(json["published_by"], "2025-06-30")
        let national = try XCTUnwrap(json["national"])
        XCTAssertEqual(national.objectValue?.keys, ["councils", "graded", "counts", "shares"])
        XCTAssertEqual(national["counts"]?.objectValue?.keys, RatingStatistics.categories)
        XCTAssertEqual(national["counts"]?["good"], 67)
        XCTAssertEqual(national["shares"]?["good"], 43.8)
        XCTAssertEqual(national["shares"]?.objectValue?.keys, Grade.allCases.map(\.rawValue))
        let regions = try XCTUnwrap(json["regions"]?.arrayValue)
        XCTAssertEqual(regions.map { $0["region"]?.stringValue ?? "" }, Region.allCases.map(\.rawValue))
        XCTAssertEqual(regions.reduce(0) { $0 + ($1["councils"]?.intValue ?? 0) }, 153)
        if ProcessInfo.processInfo.environment["PRINT_SHAPES"] != nil { print(String(decoding: stats.jsonForDocs(), as: UTF8.self)) }
    }

    func testWorkforceStatisticsShape() throws {
        let seed = SeedData.defaultDocument()
        let stats = WorkforceStatistics.compute(councils: seed.councils, workforce: seed.workforce, inspections: seed.inspections,
                                                year: 2025, byRating: true, gradeAt: .census)
        var writer = JSONWriter()
        stats.writeJSON(into: &writer)
        let json = try JSONParser.parse(writer.bytes)
        XCTAssertEqual(json.objectValue?.keys, ["quartile_method", "grade_at", "years"])
        XCTAssertEqual(json["grade_at"], "census")
        let year = try XCTUnwrap(json["years"]?.arrayValue?.first)
        XCTAssertEqual(year.objectValue?.keys, ["year", "national", "regions", "by_rating"])
        let national = try XCTUnwrap(year["national"])
        XCTAssertEqual(national.objectValue?.keys, ["rows", "figures", "pooled"])
        XCTAssertEqual(national["figures"]?.objectValue?.keys, WorkforceStatistics.figureNames)
        XCTAssertEqual(national["figures"]?["caseload"]?.objectValue?.keys, ["count", "mean", "median", "q1", "q3", "min", "max"])
        XCTAssertEqual(national["figures"]?["asye_share"]?["mean"], .null)
        XCTAssertEqual(national["pooled"]?["agency_rate"]?.objectValue?.keys, ["value", "numerator_fte", "denominator_fte", "councils"])
        XCTAssertEqual(year["by_rating"]?.arrayValue?.map { $0["grade"]?.stringValue ?? "" }, RatingStatistics.categories)
        let plain = WorkforceStatistics.compute(councils: seed.councils, workforce: seed.workforce)
        var plainWriter = JSONWriter()
        plain.writeJSON(into: &plainWriter)
        let plainJSON = try JSONParser.parse(plainWriter.bytes)
        XCTAssertEqual(plainJSON["grade_at"], .null)
        XCTAssertNil(plainJSON["years"]?.arrayValue?.first?["by_rating"])
        XCTAssertEqual(plainJSON["years"]?.arrayValue?.count, 9)
        if ProcessInfo.processInfo.environment["PRINT_SHAPES"] != nil { print(String(decoding: stats.jsonForDocs(), as: UTF8.self)) }
    }
}

extension RatingStatistics {
    func jsonForDocs() -> [UInt8] {
        var writer = JSONWriter(pretty: true)
        writeJSON(into: &writer)
        return writer.bytes
    }
}

extension WorkforceStatistics {
    func jsonForDocs() -> [UInt8] {
        var writer = JSONWriter(pretty: true)
        writeJSON(into: &writer)
        return writer.bytes
    }
}
