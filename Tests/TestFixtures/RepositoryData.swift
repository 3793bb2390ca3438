import Foundation

/// The official source files and seed CSVs kept in the repository's `data/` folder, found
/// relative to this file so that tests run from any checkout and read nothing outside it.
public enum RepositoryData {
    /// The package root: this file is `Tests/TestFixtures/RepositoryData.swift`.
    public static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `data/` at the package root: the seed CSVs, PROVENANCE.md and `sources/`.
    public static var root: String { packageRoot + "/data" }

    /// DfE's workforce release for reporting year 2025, as published.
    public static var dfe: String { root + "/sources/dfe/csww_indicators_2017_to_2025.csv" }

    /// One of the CSV exports of Ofsted's sheets under `data/sources/ofsted/csv/`.
    public static func ofsted(_ name: String) -> String { root + "/sources/ofsted/csv/" + name }

    /// The file's bytes. A missing file throws: these files are part of the repository, so a
    /// test fails rather than skips when one is gone.
    public static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
