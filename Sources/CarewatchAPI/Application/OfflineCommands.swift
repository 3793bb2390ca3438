import CarewatchCore
import Foundation

/// `carewatch import`, `export` and `check`: the bulk operations of the API, run directly on
/// a data directory while no server holds it (the directory lock says so clearly if one does).
enum OfflineCommands {
    static func importFile(_ path: String, _ configuration: CarewatchConfiguration) throws -> Int32 {
        let bytes: [UInt8]
        if path == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw UsageError("carewatch: cannot read \(path)")
            }
            bytes = Array(data)
        }
        let store = try configuration.openStore()
        defer { store.close() }
        do {
            let summary = try BulkImport.apply(bytes, as: nil, to: store)
            var writer = JSONWriter(pretty: true)
            summary.writeJSON(into: &writer)
            FileHandle.standardOutput.write(Data(writer.bytes + [UInt8(ascii: "\n")]))
            return 0
        } catch let error as ImportError {
            throw CommandFailure("imported", file: path, error)
        }
    }

    static func export(to path: String?, _ configuration: CarewatchConfiguration) throws -> Int32 {
        let store = try configuration.openStore()
        defer { store.close() }
        let output: FileHandle
        if let path, path != "-" {
            guard FileManager.default.createFile(atPath: path, contents: nil) , let handle = FileHandle(forWritingAtPath: path) else {
                throw UsageError("carewatch: cannot write \(path)")
            }
            output = handle
        } else {
            output = FileHandle.standardOutput
        }
        let next = Exporter.stream(store.state)
        while let chunk = next() { output.write(Data(chunk)) }
        if output !== FileHandle.standardOutput { try output.close() }
        return 0
    }

    static func check(_ configuration: CarewatchConfiguration) throws -> Int32 {
        let report = Store.verify(directory: URL(fileURLWithPath: configuration.dataDirectory))
        FileHandle.standardOutput.write(Data((report.description + "\n").utf8))
        return report.ok ? 0 : 1
    }
}
