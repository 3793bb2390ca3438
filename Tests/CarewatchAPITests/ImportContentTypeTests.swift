import Foundation
import HTTPTestClient
import XCTest

/// `POST /v1/import` owns the HTTP words: the media type it was sent as is checked against
/// the body here, in the API, and the problem names the header.
final class ImportContentTypeTests: APITestCase {
    func testAJSONBodySentAsCSVIsRefusedNamingContentType() throws {
        let before = try server.export()
        let response = try server.write("POST", "/v1/import", raw: Array(#"{"councils":[]}"#.utf8), contentType: "text/csv")
        assertInvalid(response, field: "Content-Type")
        let detail = response.object["detail"] as? String ?? ""
        XCTAssertTrue(detail.contains("Content-Type") && detail.contains("application/json"), detail)
        XCTAssertEqual(try server.export(), before)
        // The same bytes sent as what they are import.
        assertStatus(try server.write("POST", "/v1/import", raw: Array(#"{"councils":[]}"#.utf8), contentType: "application/json; charset=utf-8"), 200)
    }
}
