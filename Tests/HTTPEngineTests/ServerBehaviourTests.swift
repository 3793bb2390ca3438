import XCTest
import Glibc
import Foundation
@testable import HTTPEngine

/// End-to-end behaviour over real sockets on 127.0.0.1.
final class ServerBehaviourTests: XCTestCase {
    func testSimpleGetKeepAlive() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        for _ in 0..<3 {
            let r = try XCTUnwrap(c.request("GET", "/hello"))
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.bodyText, "hello")
            XCTAssertEqual(r.header("Content-Length"), "5")
            XCTAssertNotNil(r.header("Date"))
            XCTAssertFalse(r.closes)
        }
    }

    func testDateHeaderFormat() throws {
        let server = try startServer()
        let r = try XCTUnwrap(RawClient(port: server.boundPort).request("GET", "/hello"))
        let date = try XCTUnwrap(r.header("Date"))
        XCTAssertNotNil(date.range(of: #"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$"#, options: .regularExpression), date)
    }

    func testServerHeaderIsOptional() throws {
        let server = try startServer { $0.serverName = "carewatch" }
        let r = try XCTUnwrap(RawClient(port: server.boundPort).request("GET", "/hello"))
        XCTAssertEqual(r.header("Server"), "carewatch")
        let plain = try startServer()
        XCTAssertNil(try XCTUnwrap(RawClient(port: plain.boundPort).request("GET", "/hello")).header("Server"))
    }

    func testPathParametersQueryAndPercentDecoding() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        let r = try XCTUnwrap(c.request("GET", "/items/a%20b?q=x+y%21"))
        XCTAssertEqual(r.bodyText, "item=a b path=/items/a b q=x y! pattern=/items/{id}")
        // an encoded slash stays inside its segment
        let r2 = try XCTUnwrap(c.request("GET", "/items/a%2Fb"))
        XCTAssertEqual(r2.status, 200)
        XCTAssertTrue(r2.bodyText.hasPrefix("item=a/b "), r2.bodyText)
    }

    func testInvalidPercentEscapeIs400() throws {
        let server = try startServer()
        for target in ["/items/%zz", "/hello?x=%4", "/items/%"] {
            let c = try RawClient(port: server.boundPort)
            let r = try XCTUnwrap(c.request("GET", target))
            XCTAssertEqual(r.status, 400, target)
            XCTAssertTrue(r.closes)
        }
        assertServerHealthy(server)
    }

    func testAbsoluteFormTarget() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        let r = try XCTUnwrap(c.request("GET", "http://example.com/items/7?q=z"))
        XCTAssertEqual(r.bodyText, "item=7 path=/items/7 q=z pattern=/items/{id}")
    }

    func testNotFoundAndMethodNotAllowed() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        let nf = try XCTUnwrap(c.request("GET", "/nope"))
        XCTAssertEqual(nf.status, 404)
        XCTAssertEqual(nf.header("Content-Type"), "application/problem+json")
        XCTAssertTrue(nf.bodyText.contains(#""status":404"#))
        XCTAssertFalse(nf.closes)
        let na = try XCTUnwrap(c.request("PATCH", "/items/3", body: "{}"))
        XCTAssertEqual(na.status, 405)
        XCTAssertEqual(na.header("Allow"), "GET, HEAD, DELETE, OPTIONS")
        XCTAssertFalse(na.closes)
    }

    func testOptionsAnswersAllow() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        let r = try XCTUnwrap(c.request("OPTIONS", "/items/3"))
        XCTAssertEqual(r.status, 204)
        XCTAssertEqual(r.header("Allow"), "GET, HEAD, DELETE, OPTIONS")
        XCTAssertNil(r.header("Content-Length"))
        let star = try XCTUnwrap(c.request("OPTIONS", "*"))
        XCTAssertEqual(star.status, 204)
    }

    func testHeadAnsweredFromGetWithoutBody() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        let r = try XCTUnwrap(c.request("HEAD", "/big?size=1234"))
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Content-Length"), "1234")
        // the next response must start right away: no body bytes were sent for HEAD
        let next = try XCTUnwrap(c.request("GET", "/hello"))
        XCTAssertEqual(next.bodyText, "hello")
    }

    func testPipelinedRequestsAnsweredInOrder() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        var text = ""
        text += "GET /slow?ms=50 HTTP/1.1\r\nHost: t\r\n\r\n"
        text += "GET /items/1 HTTP/1.1\r\nHost: t\r\n\r\n"
        text += "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nping"
        text += "GET /async HTTP/1.1\r\nHost: t\r\n\r\n"
        text += "HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n"
        text += "GET /items/2 HTTP/1.1\r\nHost: t\r\n\r\n"
        c.send(text)
        XCTAssertEqual(c.readResponse()?.bodyText, "slow")
        XCTAssertEqual(c.readResponse()?.bodyText, "item=1 path=/items/1 q=- pattern=/items/{id}")
        XCTAssertEqual(c.readResponse()?.bodyText, "ping")
        XCTAssertEqual(c.readResponse()?.bodyText, "later")
        XCTAssertEqual(c.readResponse(head: true)?.header("Content-Length"), "5")
        XCTAssertEqual(c.readResponse()?.bodyText, "item=2 path=/items/2 q=- pattern=/items/{id}")
    }

    func testManyPipelinedSmallRequests() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        let n = 300
        c.send(String(repeating: "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n", count: n))
        for i in 0..<n {
            guard let r = c.readResponse() else { return XCTFail("response \(i) missing") }
            XCTAssertEqual(r.bodyText, "hello")
        }
    }

    func testRequestSplitIntoSingleBytes() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        c.sendByteByByte("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n")
        XCTAssertEqual(c.readResponse()?.bodyText, "abcde")
        c.sendByteByByte("GET /items/9?q=1 HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(c.readResponse()?.bodyText, "item=9 path=/items/9 q=1 pattern=/items/{id}")
    }

    func testChunkedRequestBody() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext\r\n \r\n5\r\nworld\r\n0\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.bodyText, "hello world")
    }

    func testLargeBodyRoundTrip() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        let body = String(repeating: "0123456789", count: 50_000)
        let r = try XCTUnwrap(c.request("POST", "/echo", body: body))
        XCTAssertEqual(r.body.count, body.utf8.count)
        XCTAssertEqual(r.bodyText, body)
        let big = try XCTUnwrap(c.request("GET", "/big?size=3000000"))
        XCTAssertEqual(big.body.count, 3_000_000)
    }

    func testExpectContinue() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(interim.status, 100)
        c.send("hello")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.bodyText, "hello")
    }

    func testExpectContinueOverLimitGets413WithoutContinue() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        c.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\nExpect: 100-continue\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.status, 413)
        XCTAssertTrue(r.closes)
    }

    func testUnknownExpectationIs417() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nExpect: 200-ok\r\n\r\nx")
        XCTAssertEqual(c.readResponse()?.status, 417)
        assertServerHealthy(server)
    }

    func testStreamedResponse() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        let r = try XCTUnwrap(c.request("GET", "/stream?chunks=4&size=3"))
        XCTAssertEqual(r.header("Transfer-Encoding"), "chunked")
        XCTAssertEqual(r.bodyText, "aaabbbcccddd")
        let large = try XCTUnwrap(c.request("GET", "/stream?chunks=50&size=100000"))
        XCTAssertEqual(large.body.count, 5_000_000)
        let head = try XCTUnwrap(c.request("HEAD", "/stream"))
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(c.request("GET", "/hello")?.bodyText, "hello")
    }

    func testStreamToHTTP10ClientEndsWithClose() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        c.send("GET /stream?chunks=3&size=2 HTTP/1.0\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertNil(r.header("Transfer-Encoding"))
        XCTAssertEqual(r.bodyText, "aabbcc")
    }

    func testHTTP10KeepAliveRules() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.header("Connection"), "keep-alive")
        c.send("GET /hello HTTP/1.0\r\n\r\n")
        let r2 = try XCTUnwrap(c.readResponse())
        XCTAssertTrue(r2.closes)
        XCTAssertTrue(c.isClosedByServer())
    }

    func testConnectionCloseHonoured() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        let r = try XCTUnwrap(c.request("GET", "/hello", headers: ["Connection: close"]))
        XCTAssertTrue(r.closes)
        XCTAssertTrue(c.isClosedByServer())
    }

    func testAsyncResponderFromAnotherThread() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        for _ in 0..<5 { XCTAssertEqual(c.request("GET", "/async")?.bodyText, "later") }
    }

    func testHalfClosedClientStillGetsAnswer() throws {
        let server = try startServer()
        let c = try RawClient(port: server.boundPort)
        c.send("GET /slow?ms=50 HTTP/1.1\r\nHost: t\r\n\r\n")
        c.shutdownWrite()
        let r = try XCTUnwrap(c.readResponse())
        XCTAssertEqual(r.bodyText, "slow")
        XCTAssertTrue(c.isClosedByServer())
    }

    func testIPv6Listener() throws {
        let server = try startServer { $0.host = "::1" }
        let c = try RawClient(port: server.boundPort, host: "::1")
        let r = try XCTUnwrap(c.request("GET", "/request-info"))
        XCTAssertEqual(r.status, 200)
    }

    func testDualStackStar() throws {
        let server = try startServer { $0.host = "*" }
        XCTAssertEqual(try RawClient(port: server.boundPort).request("GET", "/hello")?.status, 200)
        XCTAssertEqual(try RawClient(port: server.boundPort, host: "::1").request("GET", "/hello")?.status, 200)
    }

    func testRemoteAddressAndRequestInfo() throws {
        let server = try startServer()
        let r = try XCTUnwrap(RawClient(port: server.boundPort).request("GET", "/request-info?a=1"))
        XCTAssertEqual(r.bodyText, "GET /request-info?a=1 v=1 id= peer=true")
    }

    func testResponseHeadersCannotInjectLines() throws {
        var router = Router()
        router.add(.get, "/inject") { _, r in
            var h = HTTPHeaders()
            h.add("X-Bad", "a\r\nSet-Cookie: evil=1")
            h.add("Content-Length", "999")
            r.respond(HTTPResponse(status: .ok, headers: h, body: .bytes(Array("ok".utf8))))
        }
        let server = try startServer(router: router)
        let r = try XCTUnwrap(RawClient(port: server.boundPort).request("GET", "/inject"))
        XCTAssertNil(r.header("Set-Cookie"))
        XCTAssertEqual(r.header("Content-Length"), "2")
        XCTAssertEqual(r.bodyText, "ok")
    }

    func testOnlyFirstRespondCounts() throws {
        var router = Router()
        router.add(.get, "/twice") { _, r in
            r.respond(HTTPResponse(status: .ok, body: .bytes(Array("one".utf8))))
            r.respond(HTTPResponse(status: .ok, body: .bytes(Array("two".utf8))))
        }
        router.add(.get, "/hello") { _, r in r.respond(HTTPResponse(status: .ok, body: .bytes(Array("hello".utf8)))) }
        let server = try startServer(router: router)
        let c = try RawClient(port: server.boundPort)
        XCTAssertEqual(c.request("GET", "/twice")?.bodyText, "one")
        XCTAssertEqual(c.request("GET", "/hello")?.bodyText, "hello")
    }
}
