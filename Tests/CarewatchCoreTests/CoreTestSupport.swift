import Foundation
import XCTest
@testable import CarewatchCore

/// A fresh directory under the system temp dir, removed at the end of the test.
func makeTemporaryDirectory(_ test: XCTestCase) -> String {
    var template = Array((NSTemporaryDirectory() + "/carewatch-core-XXXXXX").utf8CString)
    let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

func quietOptions(seed: Bool = false) -> StoreOptions {
    var options = StoreOptions()
    options.seedWhenEmpty = seed
    options.log = { _ in }
    return options
}

func sampleCouncil(_ code: String = "E08000028", la: Int = 333, slug: String? = nil, name: String = "Sandwell",
                   region: Region = .westMidlands, kind: CouncilKind = .metropolitanDistrict, former: [String] = []) -> Council {
    Council(code: code, laCode: la, slug: slug ?? Slug.derive(from: name), name: name, region: region, kind: kind, formerCodes: former)
}

func sampleInspection(_ id: String = "", council: String = "E08000028", framework: Framework = .ilacs, published: String? = "2018-04-17",
                      started: String? = "2018-02-05", overall: Grade? = .inadequate) -> Inspection {
    Inspection(id: id, council: council, framework: framework, type: "ILACS standard inspection",
               started: started.flatMap { CalendarDate(iso: $0) }, published: published.flatMap { CalendarDate(iso: $0) }, overall: overall)
}

func fileSize(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1 }

func files(in directory: String, prefix: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
        .map { directory + "/" + $0 }
}

extension XCTestCase {
    /// What a machine crash would leave: a copy of the directory's files as they are now,
    /// without the lock or a final snapshot.
    func crashImage(of directory: String) throws -> String {
        let copy = makeTemporaryDirectory(self) + "/image"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != "LOCK" {
            try FileManager.default.copyItem(atPath: directory + "/" + name, toPath: copy + "/" + name)
        }
        return copy
    }
}
