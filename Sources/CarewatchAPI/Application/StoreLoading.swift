import CarewatchCore
import Foundation

extension CarewatchConfiguration {
    /// The store's settings. `log` receives what the store reports (seeding, a cut journal
    /// tail, a fallback snapshot): the server's JSON log by default.
    func storeOptions(log: @escaping @Sendable (String) -> Void = { Log.info($0) }) -> StoreOptions {
        var options = StoreOptions()
        options.seedWhenEmpty = seedFile == nil
        options.snapshotEveryChanges = snapshotEveryChanges
        options.snapshotInterval = snapshotInterval
        options.recover = recover
        options.retainedChanges = historyRetention
        options.clock = clock
        options.log = log
        return options
    }

    /// Loads a claimed data directory. With `--seed FILE`, an empty directory is loaded from
    /// that document (JSON or CSV, told apart by content) instead of the embedded data (the
    /// benchmark kit's fixture uses this); if that fails, the directory is left as it was.
    func openStore(_ claim: DataDirectoryClaim, options: StoreOptions) throws -> Store {
        let store = try Store.open(claim, options: options)
        guard let seedFile, store.startedEmpty else { return store }
        do {
            let bytes = try CommandFiles.read(seedFile, what: "the --seed file")
            do {
                _ = try BulkImport.apply(bytes, as: nil, to: store)
            } catch let error as ImportError {
                throw CommandFailure("seeded", file: seedFile, error)
            }
            options.log("seeded \(dataDirectory) from \(seedFile)")
        } catch {
            store.discard()
            throw error
        }
        return store
    }

    /// Claims and loads the data directory in one step (the offline commands).
    func openStore(options: StoreOptions) throws -> Store {
        try openStore(try Store.claim(path: dataDirectory, options: options), options: options)
    }
}
