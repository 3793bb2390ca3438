import HexEncoding
import XCTest

/// The package's one hex encoder, as each user needs it: minimal (chunk sizes, versions),
/// zero-padded (checksums, ids, ETags) and `\u` escapes.
final class HexTests: XCTestCase {
    func testDigitsAndPadding() {
        XCTAssertEqual(Hex.string(UInt8(0)), "0")
        XCTAssertEqual(Hex.string(UInt(0x1a2b)), "1a2b")
        XCTAssertEqual(Hex.string(UInt64.max), "ffffffffffffffff")
        XCTAssertEqual(Hex.string(UInt32(0xe40c292c), minimumDigits: 8), "e40c292c")
        XCTAssertEqual(Hex.string(UInt32(0x2c), minimumDigits: 8), "0000002c")
        XCTAssertEqual(Hex.string(UInt64(1), minimumDigits: 20), "00000000000000000001")
        XCTAssertEqual(Hex.string(UInt8(0x1f), minimumDigits: 4), "001f")
        XCTAssertEqual((0..<16).map { Hex.digit(UInt8($0)) }, Array("0123456789abcdef".utf8))
        XCTAssertEqual((0..<16).map { Hex.digit(UInt8($0), uppercase: true) }, Array("0123456789ABCDEF".utf8))
        XCTAssertEqual(Hex.string(UInt8(0x2f), minimumDigits: 2), "2f")
        var bytes = Array("\\u".utf8)
        Hex.append(UInt8(0x7f), minimumDigits: 4, to: &bytes)
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self), "\\u007f")
    }

    func testAgreesWithTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let value = generator.next() as UInt64 >> UInt64.random(in: 0...63)
            XCTAssertEqual(Hex.string(value), String(value, radix: 16))
        }
    }
}
