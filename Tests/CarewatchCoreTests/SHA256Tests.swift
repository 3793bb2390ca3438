import CarewatchCore
import TestFixtures
import XCTest

/// SHA-256 against the examples of FIPS 180-4 (NIST's "SHA256.pdf" and "SHA2_Additional.pdf"
/// example values), the padding boundaries, and `sha256sum` over the repository's files.
final class SHA256Tests: XCTestCase {
    func testFIPSExamples() {
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "one block")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "two blocks")
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty")
        XCTAssertEqual(SHA256.hex(Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", "896 bits")
        XCTAssertEqual(SHA256.digest(Array("abc".utf8)).count, 32)
    }

    /// Lengths where the padding's 1 bit and 64-bit length do or do not fit in the last block.
    func testPaddingBoundaries() {
        let expected = [
            55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
            64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            119: "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb",
            120: "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c",
        ]
        for (length, digest) in expected { XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: length)), digest, "\(length) bytes") }
    }

    /// The digests `sha256sum` wrote into data/SHA256SUMS, for the files a release is known by.
    func testAgreesWithSha256sumOnTheDataFiles() throws {
        let sums = try String(decoding: RepositoryData.bytes(RepositoryData.root + "/SHA256SUMS"), as: UTF8.self)
        var checked = 0
        for line in sums.split(separator: "\n") where line.contains("sources/dfe/") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            XCTAssertEqual(SHA256.hex(try RepositoryData.bytes(RepositoryData.root + "/" + parts[1])), String(parts[0]), String(parts[1]))
            checked += 1
        }
        XCTAssertEqual(checked, 12)
    }
}
