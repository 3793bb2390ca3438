import Foundation
import HTTPEngine
import XCTest

@testable import CarewatchAPI

/// openapi.yaml and the router must describe the same surface: every documented path and
/// method is routed, and nothing is routed that the document does not describe. OPTIONS is
/// answered by the router on every path without a route of its own, so it is compared
/// separately: the document must list it on every path.
final class OpenAPIRouteParityTests: XCTestCase {
    private func documentedOperations() throws -> (operations: Set<String>, pathsWithOptions: Set<String>, paths: Set<String>) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        var operations = Set<String>()
        var withOptions = Set<String>()
        var paths = Set<String>()
        var inPaths = false
        var currentPath: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty {
                inPaths = line.hasPrefix("paths:")
                currentPath = nil
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   ") {
                currentPath = String(line.dropFirst(2).dropLast())
                paths.insert(currentPath!)
            } else if let path = currentPath, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                let methods = ["get", "put", "post", "patch", "delete", "head"]
                if methods.contains(String(key)) { operations.insert("\(key.uppercased()) \(path)") }
                if key == "options" { withOptions.insert(path) }
            }
        }
        return (operations, withOptions, paths)
    }

    func testRouterAndDocumentDescribeTheSameOperations() throws {
        let context = APIContext(authenticator: BearerAuthenticator(keys: []), readiness: Readiness(), gate: StoreGate(maximumWait: .seconds(30)))
        let router = APIRouter.make(context: context, metrics: RequestMetrics(namespace: "carewatch"), corsOrigins: [], accessLog: false,
                                    importBodyLimit: 1 << 20, openConnections: { 0 })
        let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.pattern)" })
        let documented = try documentedOperations()
        XCTAssertFalse(routed.isEmpty)
        XCTAssertEqual(routed.subtracting(documented.operations).sorted(), [], "routed but not in openapi.yaml")
        XCTAssertEqual(documented.operations.subtracting(routed).sorted(), [], "in openapi.yaml but not routed")
        XCTAssertEqual(documented.paths.subtracting(documented.pathsWithOptions).sorted(), [], "paths without OPTIONS in openapi.yaml")
    }
}
