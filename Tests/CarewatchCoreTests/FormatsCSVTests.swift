import Foundation
import TestFixtures
import XCTest
@testable import CarewatchCore

final class FormatsCSVTests: XCTestCase {
    func testQuotesEscapedQuotesAndEmbeddedNewlines() throws {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n"
        let records = try CSVReader.records(text)
        XCTAssertEqual(records.map(\.fields), [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["last", "", ""]])
        XCTAssertEqual(records.map(\.line), [1, 2, 4])
    }

    func testBOMAndLineEndings() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("h1,h2\ra,b\r\nc,d".utf8)
        let records = try CSVReader.records(bytes)
        XCTAssertEqual(records.map(\.fields), [["h1", "h2"], ["a", "b"], ["c", "d"]])
        XCTAssertEqual(records.map(\.line), [1, 2, 3])
    }

    func testEmptyInputAndTrailingComma() throws {
        XCTAssertEqual(try CSVReader.records("").count, 0)
        XCTAssertEqual(try CSVReader.records("a,").map(\.fields), [["a", ""]])
        XCTAssertEqual(try CSVReader.records("\"\"").map(\.fields), [[""]])
        XCTAssertTrue(try CSVReader.records("\n,,\n")[1].isBlank)
    }

    func testErrorsCarryLineNumbers() {
        XCTAssertThrowsError(try CSVReader.records("a\nb\n\"open\nstill open")) { error in
            XCTAssertEqual(error as? CSVError, CSVError(line: 3, message: "quoted field is not closed"))
        }
        XCTAssertThrowsError(try CSVReader.records("a\n\"x\"y\n")) { error in
            XCTAssertEqual((error as? CSVError)?.line, 2)
        }
        XCTAssertThrowsError(try CSVReader.records("a\nb\nsay \"hi\"\n")) { error in
            XCTAssertEqual((error as? CSVError)?.line, 3)
        }
        XCTAssertThrowsError(try CSVReader.records([UInt8(ascii: "a"), 0x0A, 0xC3, 0x28])) { error in
            XCTAssertEqual((error as? CSVError)?.line, 2)
        }
    }

    func testNonASCIIText() throws {
        XCTAssertEqual(try CSVReader.records("Ynys Môn,£3\n").first?.fields, ["Ynys Môn", "£3"])
    }

    func testWriterQuotesOnlyWhenNeededAndRoundTrips() throws {
        var writer = CSVWriter(lineEnding: .lf)
        writer.writeRow(["plain", "with, comma", "say \"hi\"", "two\nlines", nil, " padded"])
        XCTAssertEqual(writer.text, "plain,\"with, comma\",\"say \"\"hi\"\"\",\"two\nlines\",,\" padded\"\n")
        let back = try CSVReader.records(writer.bytes)
        XCTAssertEqual(back.first?.fields, ["plain", "with, comma", "say \"hi\"", "two\nlines", "", " padded"])
        var crlf = CSVWriter()
        crlf.writeRow(["a", "b"])
        XCTAssertEqual(crlf.bytes, Array("a,b\r\n".utf8))
    }

    /// Whatever the writer writes, the reader reads back: random fields drawn from the
    /// characters that need quoting, with a fixed seed so a failure repeats.
    func testWriterAndReaderRoundTripRandomFields() throws {
        var generator = SplitMix64(seed: 42)
        let alphabet: [String] = ["a", "Z", "0", ",", "\"", "\n", "\r", "\r\n", " ", "é", "£", "\t", ";"]
        for lineEnding in [CSVWriter.LineEnding.crlf, .lf] {
            var rows: [[String]] = []
            for _ in 0..<200 {
                let width = Int(generator.next() % 5) + 1
                rows.append((0..<width).map { _ in
                    (0..<Int(generator.next() % 6)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }.joined()
                })
            }
            // A row of one empty field would be written as a blank line; the reader reads that
            // back as [""], which is the same row.
            var writer = CSVWriter(lineEnding: lineEnding)
            for row in rows { writer.writeRow(row) }
            XCTAssertEqual(try CSVReader.records(writer.bytes).map(\.fields), rows)
        }
    }

    func testHeaderNormalisesOfstedWhitespace() {
        let header = CSVHeader([" First SIF Overall Judgement\n(OE)", "LSCB Overall Effectiveness "])
        XCTAssertEqual(header.column("First SIF Overall Judgement (OE)"), 0)
        XCTAssertEqual(header.column("LSCB Overall Effectiveness"), 1)
    }

    func testReadsTheOfficialFilesAsWholeTables() throws {
        let dfe = try CSVReader.records(Array(try Data(contentsOf: URL(fileURLWithPath: RepositoryData.dfe))))
        XCTAssertEqual(dfe.count, 1464)
        XCTAssertTrue(dfe.allSatisfy { $0.fields.count == 32 })
        let wide = try CSVReader.records(Array(try Data(contentsOf: URL(fileURLWithPath: RepositoryData.ofsted("2023_LA_inspections_2009-2023_table1.csv")))))
        XCTAssertEqual(wide.first?.fields.count, 45)
        XCTAssertTrue(wide.allSatisfy { $0.fields.count == 45 })
    }
}
