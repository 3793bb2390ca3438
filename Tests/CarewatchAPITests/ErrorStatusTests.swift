import HTTPTestClient
import XCTest

/// Every status of the contract's error table, provoked over a real socket, each answered as
/// application/problem+json (where the server still answers at all).
final class ErrorStatusTests: APITestCase {
    private let council = CouncilEndpointTests.newCouncil

    func test400MalformedJSONAndBadParameters() throws {
        for body in ["{\"code\":", "not json", "{\"a\":1,\"a\":2}", "[1,2]", ""] {
            let response = try server.write("POST", "/v1/councils", raw: Array(body.utf8))
            assertProblem(response, 400)
        }
        let problem = assertProblem(try server.get("/v1/councils?limit=lots"), 400)
        XCTAssertTrue((problem["detail"] as? String ?? "").contains("limit"))
        assertProblem(try server.get("/v1/stats/ratings?as_of=yesterday"), 400)
        assertProblem(try server.get("/v1/councils?region="), 400)
        assertProblem(try server.get("/v1/councils?limit=5&limit=6"), 400)
    }

    func test400MalformedHTTP() throws {
        for raw in ["GARBAGE\r\n\r\n", "GET /v1/councils HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n",
                    "POST /v1/councils HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"] {
            let connection = try RawHTTPConnection(port: server.port)
            connection.send(raw)
            let response = try connection.readResponse()
            XCTAssertEqual(response.status, 400, "\(raw.debugDescription): \(response)")
        }
    }

    func test401WithoutKeyAndWithWrongKey() throws {
        for headers: [(String, String)] in [[], [("Authorization", "Bearer wrong-key")], [("Authorization", "Basic dGVzdDp0ZXN0")],
                                            [("Authorization", "Bearer test-keyy")], [("Authorization", "Bearer ")]] {
            let response = try server.write("POST", "/v1/councils", json: council, headers: headers, authorized: false)
            assertProblem(response, 401)
            XCTAssertTrue(response.header("WWW-Authenticate")?.hasPrefix("Bearer") ?? false, "\(response)")
            XCTAssertFalse(response.text.contains("test-key"), "the key is never echoed")
        }
        for (method, target) in [("PUT", "/v1/councils/sandwell"), ("PATCH", "/v1/councils/sandwell"), ("DELETE", "/v1/councils/sandwell"),
                                 ("POST", "/v1/councils/sandwell/inspections"), ("PUT", "/v1/councils/sandwell/workforce/2026"),
                                 ("DELETE", "/v1/councils/sandwell/workforce/2018"), ("POST", "/v1/import")] {
            let response = try server.write(method, target, json: method == "DELETE" ? nil : ["x": 1], authorized: false)
            assertProblem(response, 401)
        }
        XCTAssertEqual(try server.total("/v1/councils"), 153)
        assertStatus(try server.get("/v1/councils/sandwell/workforce/2018"), 200)
        // Reads are public.
        assertStatus(try server.get("/v1/councils"), 200)
    }

    func test404UnknownRouteCouncilInspectionYear() throws {
        assertProblem(try server.get("/v1/nothing"), 404)
        assertProblem(try server.get("/v2/councils"), 404)
        assertProblem(try server.get("/v1/councils/E99999999"), 404)
        assertProblem(try server.get("/v1/inspections/no-such-id"), 404)
        assertProblem(try server.get("/v1/councils/sandwell/workforce/2001"), 404)
    }

    func test405WithAllow() throws {
        let onList = try server.write("DELETE", "/v1/councils")
        assertProblem(onList, 405)
        let allow = Set((onList.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        XCTAssertTrue(allow.isSuperset(of: ["GET", "POST"]), "\(allow)")
        let onOne = try server.write("POST", "/v1/councils/sandwell", json: council)
        assertProblem(onOne, 405)
        let allowOne = Set((onOne.header("Allow") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        XCTAssertTrue(allowOne.isSuperset(of: ["GET", "PUT", "PATCH", "DELETE"]), "\(allowOne)")
        XCTAssertFalse(allowOne.contains("POST"))
        let onExport = try server.write("POST", "/v1/export", json: [:] as [String: Any])
        assertProblem(onExport, 405)
        XCTAssertTrue(onExport.header("Allow")?.contains("GET") ?? false)
        assertProblem(try server.write("PUT", "/v1/inspections/x", json: ["a": 1]), 405)
    }

    func test408WhenTheHeadDoesNotArriveInTime() throws {
        let slow = try extraServer { $0.headerTimeout = 0.5 }
        let connection = try RawHTTPConnection(port: slow.port, timeout: 10)
        connection.send("GET /v1/councils HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        let bytes = try connection.readToEnd()
        XCTAssertTrue(connection.peerClosed, "the server closes the connection")
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 408"), text)
        XCTAssertTrue(text.lowercased().contains("application/problem+json"), text)
        // The server is fine afterwards.
        assertStatus(try slow.get("/healthz"), 200)
    }

    func test408WhenTheBodyDoesNotArriveInTime() throws {
        let slow = try extraServer { $0.bodyTimeout = 0.5 }
        let connection = try RawHTTPConnection(port: slow.port, timeout: 10)
        connection.send("PUT /v1/councils/sandwell/workforce/2026 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer test-key\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"caseload\": ")
        let text = String(decoding: try connection.readToEnd(), as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 408"), text)
        assertProblem(try slow.get("/v1/councils/sandwell/workforce/2026"), 404)
    }

    func testAuthorizationIsCheckedBeforeTheBody() throws {
        // A client without a key learns that first, whatever else is wrong with its request.
        let response = try server.write("POST", "/v1/councils", raw: Array("{not json".utf8), authorized: false)
        assertProblem(response, 401)
        assertProblem(try server.get("/v1/councils?q=%ZZ"), 400)
        let onHealth = try server.write("POST", "/healthz", json: ["a": 1])
        assertProblem(onHealth, 405)
        XCTAssertTrue(onHealth.header("Allow")?.contains("GET") ?? false)
    }

    func test409OnCreateOfExisting() throws {
        assertStatus(try server.post("/v1/councils", council), 201)
        let again = try server.post("/v1/councils", council)
        let problem = assertProblem(again, 409)
        XCTAssertNotNil(problem["detail"] as? String)
    }

    func test411BodyWithoutLength() throws {
        let connection = try RawHTTPConnection(port: server.port)
        connection.send("POST /v1/councils HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer test-key\r\nContent-Type: application/json\r\n\r\n")
        let response = try connection.readResponse()
        assertProblem(response, 411)
        for method in ["PUT", "PATCH"] {
            let other = try RawHTTPConnection(port: server.port)
            other.send("\(method) /v1/councils/sandwell HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\r\n")
            assertProblem(try other.readResponse(), 411)
        }
    }

    func testChunkedRequestBodyIsAccepted() throws {
        let body = String(decoding: jsonBytes(council), as: UTF8.self)
        let half = body.utf8.count / 2
        let first = String(body.prefix(half)), second = String(body.dropFirst(half))
        let chunked = String(first.utf8.count, radix: 16) + "\r\n" + first + "\r\n" + String(second.utf8.count, radix: 16) + "\r\n" + second + "\r\n0\r\n\r\n"
        let response = try server.client.request("POST", "/v1/councils", headers: [
            ("Authorization", "Bearer test-key"), ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"),
        ], body: Array(chunked.utf8))
        assertStatus(response, 201)
    }

    func test412IfMatchMismatch() throws {
        assertProblem(try server.patch("/v1/councils/sandwell", ["name": "x"], headers: [("If-Match", "\"v999.0\"")]), 412)
    }

    func test413BodyOverTheLimit() throws {
        let small = try extraServer { $0.maxBodyBytes = 1024 }
        // Announced too big: refused from the head alone, before the body is sent.
        let connection = try RawHTTPConnection(port: small.port)
        connection.send("POST /v1/councils HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer test-key\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n")
        assertProblem(try connection.readResponse(), 413)
        // And sent in full.
        var padded = council
        padded["name"] = String(repeating: "a", count: 3000)
        assertProblem(try small.post("/v1/councils", padded), 413)
        // Chunked bodies count too.
        let chunk = String(repeating: "x", count: 800)
        let body = "320\r\n\(chunk)\r\n320\r\n\(chunk)\r\n0\r\n\r\n"
        let chunked = try small.client.request("POST", "/v1/councils", headers: [
            ("Authorization", "Bearer test-key"), ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"),
        ], body: Array(body.utf8))
        XCTAssertEqual(chunked.status, 413, "\(chunked)")
        // Under the limit still works.
        assertStatus(try small.post("/v1/councils", council), 201)
    }

    func test415BodyThatIsNotJSON() throws {
        assertProblem(try server.write("POST", "/v1/councils", raw: jsonBytes(council), contentType: "text/plain"), 415)
        assertProblem(try server.write("PUT", "/v1/councils/sandwell/workforce/2026", raw: Array("caseload=3".utf8), contentType: "application/x-www-form-urlencoded"), 415)
        assertProblem(try server.write("POST", "/v1/councils", raw: jsonBytes(council), contentType: nil), 415)
        assertProblem(try server.write("POST", "/v1/import", raw: Array("hello".utf8), contentType: "text/plain"), 415)
        XCTAssertEqual(try server.total("/v1/councils"), 153)
    }

    func test422RuleBreaks() throws {
        assertInvalid(try server.put("/v1/councils/sandwell/workforce/2026", ["vacancy_rate": 100.5]), field: "vacancy_rate")
        var early = InspectionEndpointTests.newInspection
        early["published"] = "2026-01-01"
        assertInvalid(try server.post("/v1/councils/sandwell/inspections", early), field: "published")
        var unknownGrade = InspectionEndpointTests.newInspection
        unknownGrade["overall"] = "satisfactory"
        assertInvalid(try server.post("/v1/councils/sandwell/inspections", unknownGrade), field: "overall")
        var unknownField = council
        unknownField["mayor"] = "someone"
        assertInvalid(try server.post("/v1/councils", unknownField), field: "mayor")
        var wrongKind = council
        wrongKind["kind"] = "county"
        assertInvalid(try server.post("/v1/councils", wrongKind), field: "kind")
        var badType = council
        badType["la_code"] = "999"
        assertInvalid(try server.post("/v1/councils", badType), field: "la_code")
        // Every broken rule is listed, not just the first: decoding errors together, and rule
        // errors together (rules are checked once the fields decode).
        var badFields = council
        badFields["la_code"] = "five"
        badFields["region"] = "Atlantis"
        let problem = assertProblem(try server.post("/v1/councils", badFields), 422)
        let fields = Set((problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
        XCTAssertTrue(fields.isSuperset(of: ["la_code", "region"]), "\(fields)")
        var badRules = council
        badRules["la_code"] = 5
        badRules["slug"] = "Not A Slug"
        let rules = assertProblem(try server.post("/v1/councils", badRules), 422)
        let ruleFields = Set((rules["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
        XCTAssertTrue(ruleFields.isSuperset(of: ["la_code", "slug"]), "\(ruleFields)")
        // Unknown council named inside an inspection PATCH.
        let id = try XCTUnwrap(try server.get("/v1/inspections?limit=1").items.first?["id"] as? String)
        assertInvalid(try server.patch("/v1/inspections/\(id)", ["council": "E99999999"]), field: "council")
        XCTAssertEqual(try server.total("/v1/councils"), 153)
        XCTAssertEqual(try server.total("/v1/inspections"), 778)
        XCTAssertEqual(try server.total("/v1/workforce"), 1325)
    }

    func test431HugeHeader() throws {
        let connection = try RawHTTPConnection(port: server.port)
        connection.send("GET /v1/councils HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: \(String(repeating: "b", count: 20_000))\r\n\r\n")
        let response = try connection.readResponse()
        assertProblem(response, 431)
        let longLine = try RawHTTPConnection(port: server.port)
        longLine.send("GET /v1/councils?q=\(String(repeating: "a", count: 20_000)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let lineResponse = try longLine.readResponse()
        XCTAssertTrue([414, 431].contains(lineResponse.status), "\(lineResponse)")
        assertStatus(try server.get("/healthz"), 200)
    }

    func test503OverTheConnectionLimit() throws {
        let limited = try extraServer { $0.maxConnections = 2 }
        let first = try RawHTTPConnection(port: limited.port)
        let second = try RawHTTPConnection(port: limited.port)
        assertStatus(try first.exchange("GET", "/healthz"), 200)
        assertStatus(try second.exchange("GET", "/healthz"), 200)
        let third = try RawHTTPConnection(port: limited.port, timeout: 10)
        third.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let bytes = try third.readToEnd()
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 503"), "over the limit: \(text)")
        // Once a connection goes, there is room again.
        first.close()
        var recovered = false
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !recovered {
            if let response = try? limited.get("/healthz"), response.status == 200 { recovered = true } else { usleep(50_000) }
        }
        XCTAssertTrue(recovered, "a freed slot is usable again")
        second.close()
    }

    func testCORSPreflightAndSimpleRequest() throws {
        let cors = try extraServer { $0.corsOrigins = ["https://dash.example.org"] }
        let preflight = try cors.client.request("OPTIONS", "/v1/councils/sandwell", headers: [
            ("Origin", "https://dash.example.org"), ("Access-Control-Request-Method", "PATCH"),
            ("Access-Control-Request-Headers", "authorization, content-type, if-match"),
        ])
        XCTAssertTrue([200, 204].contains(preflight.status), "\(preflight)")
        XCTAssertEqual(preflight.header("Access-Control-Allow-Origin"), "https://dash.example.org")
        let methods = (preflight.header("Access-Control-Allow-Methods") ?? "").uppercased()
        XCTAssertTrue(methods.contains("PATCH"), "\(preflight)")
        let allowedHeaders = (preflight.header("Access-Control-Allow-Headers") ?? "").lowercased()
        XCTAssertTrue(allowedHeaders.contains("authorization") && allowedHeaders.contains("if-match"), "\(preflight)")
        XCTAssertNotNil(preflight.header("Access-Control-Max-Age"))

        let simple = try cors.get("/v1/councils/sandwell", headers: [("Origin", "https://dash.example.org")])
        assertStatus(simple, 200)
        XCTAssertEqual(simple.header("Access-Control-Allow-Origin"), "https://dash.example.org")
        XCTAssertTrue((simple.header("Access-Control-Expose-Headers") ?? "").lowercased().contains("etag"), "\(simple)")
        XCTAssertTrue(simple.headerValues("Vary").joined(separator: ",").contains("Origin"), "\(simple)")

        let stranger = try cors.get("/v1/councils/sandwell", headers: [("Origin", "https://evil.example.com")])
        XCTAssertNil(stranger.header("Access-Control-Allow-Origin"))
        let strangerPreflight = try cors.client.request("OPTIONS", "/v1/councils", headers: [
            ("Origin", "https://evil.example.com"), ("Access-Control-Request-Method", "POST"),
        ])
        XCTAssertNil(strangerPreflight.header("Access-Control-Allow-Origin"), "\(strangerPreflight)")
        // Without CORS configured, no CORS headers at all.
        XCTAssertNil(try server.get("/v1/councils/sandwell", headers: [("Origin", "https://dash.example.org")]).header("Access-Control-Allow-Origin"))
    }
}
