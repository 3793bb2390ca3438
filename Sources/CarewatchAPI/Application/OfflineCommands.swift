import CarewatchCore
import Foundation

/// `carewatch import`, `export`, `restore` and `check`: the bulk operations of the API, run
/// directly on a data directory while no server holds it (the directory lock says so clearly
/// if one does). Each reads or checks everything it can before it touches the directory, and a
/// command that fails on a directory that held no data leaves nothing there.
enum OfflineCommands {
    static func importFile(_ path: String, _ configuration: CarewatchConfiguration) throws -> Int32 {
        let bytes = try CommandFiles.read(path)
        let store = try configuration.openStore(options: configuration.storeOptions(log: log("import", configuration)))
        let summary: BulkImport.Summary
        do {
            // The file's name is its records' source, and names a neighbour model's year.
            summary = try BulkImport.apply(bytes, as: nil, to: store,
                                           sourceName: path == "-" ? nil : URL(fileURLWithPath: path).lastPathComponent)
        } catch let error as ImportError {
            store.discard()
            throw CommandFailure("imported", file: path, BulkImport.advising(error, unnamedModel: "name the file with its year, as DfE does (sn_model_2025_wide.csv)"))
        } catch {
            store.discard()
            throw error
        }
        store.close()
        var writer = JSONWriter(pretty: true)
        summary.writeJSON(into: &writer)
        FileHandle.standardOutput.write(Data(writer.bytes + [UInt8(ascii: "\n")]))
        return 0
    }

    static func export(to path: String?, _ configuration: CarewatchConfiguration) throws -> Int32 {
        var options = configuration.storeOptions(log: log("export", configuration))
        options.createDirectory = false
        options.startEmpty = false
        let output = try path.map { path throws(CommandFailure) in try CommandFiles.Output(path) }
        let store: Store
        do {
            store = try configuration.openStore(options: options)
        } catch {
            output?.abandon()
            throw error
        }
        defer { store.close() }
        let next = Exporter.stream(store.state)
        if let output {
            do {
                while let chunk = next() { try output.write(chunk) }
                try output.commit()
            } catch {
                output.abandon()
                throw error
            }
        } else {
            while let chunk = next() { FileHandle.standardOutput.write(Data(chunk)) }
        }
        return 0
    }

    static func restore(_ path: String, replace: Bool, _ configuration: CarewatchConfiguration) throws -> Int32 {
        let bytes = try CommandFiles.read(path)
        guard ImportSyntax.detect(bytes) == .json else {
            throw CommandFailure("\(path == "-" ? "standard input" : path) is not an export document (JSON); to add the records of a CSV file, use carewatch import")
        }
        let restored: Store.Restored
        do {
            restored = try Store.restore(from: bytes, path: configuration.dataDirectory, replace: replace,
                                         options: configuration.storeOptions(log: log("restore", configuration)))
        } catch let error as ImportError {
            throw CommandFailure("restored", file: path, error)
        }
        var writer = JSONWriter(pretty: true)
        writer.beginObject()
        writer.field("data_dir", configuration.dataDirectory)
        writer.field("generation", Int(restored.generation))
        writer.field("replaced", restored.replaced)
        writer.key("restored")
        writer.beginObject()
        writer.field("councils", restored.councils)
        writer.field("inspections", restored.inspections)
        writer.field("workforce", restored.workforce)
        writer.field("figures", restored.figures)
        writer.field("neighbours", restored.neighbours)
        writer.endObject()
        writer.endObject()
        FileHandle.standardOutput.write(Data(writer.bytes + [UInt8(ascii: "\n")]))
        return 0
    }

    static func check(_ configuration: CarewatchConfiguration) throws -> Int32 {
        let path = configuration.dataDirectory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandFailure("data directory \(path) does not exist")
        }
        guard isDirectory.boolValue else { throw CommandFailure("data directory \(path) exists and is not a directory") }
        let report = Store.verify(path: path)
        var text = report.description
        if report.ok, report.snapshots.isEmpty, report.journalSegments.isEmpty {
            text += "\nnote: the directory holds no data yet; carewatch serve starts it with the embedded data"
        }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
        return report.ok ? 0 : 1
    }

    /// What the store reports, as plain lines on standard error ("carewatch import: seeded …"),
    /// unless --log-level is above info.
    private static func log(_ command: String, _ configuration: CarewatchConfiguration) -> @Sendable (String) -> Void {
        guard configuration.logLevel <= .info else { return { _ in } }
        return { message in FileHandle.standardError.write(Data("carewatch \(command): \(message)\n".utf8)) }
    }
}
