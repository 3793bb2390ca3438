import CarewatchCore
import Foundation

extension CarewatchConfiguration {
    func storeOptions() -> StoreOptions {
        var options = StoreOptions()
        options.seedWhenEmpty = seedFile == nil
        options.snapshotEveryChanges = snapshotEveryChanges
        options.snapshotInterval = snapshotInterval
        options.recover = recover
        options.clock = clock
        options.log = { Log.info($0) }
        return options
    }

    /// Opens the data directory. With `--seed FILE`, an empty directory is loaded from that
    /// import document instead of the embedded data (the benchmark kit's fixture uses this).
    func openStore() throws -> Store {
        let store = try Store.open(directory: URL(fileURLWithPath: dataDirectory), options: storeOptions())
        guard let seedFile, store.state.generation == 0 else { return store }
        do {
            guard let data = FileManager.default.contents(atPath: seedFile) else { throw UsageError("carewatch: cannot read the seed file \(seedFile)") }
            let bytes = Array(data)
            let mediaType = seedFile.lowercased().hasSuffix(".csv") ? "text/csv" : "application/json"
            _ = try BulkImport.apply(bytes, mediaType: mediaType, to: store)
            Log.info("seeded \(dataDirectory) from \(seedFile)")
        } catch {
            store.close()
            throw error
        }
        return store
    }
}
