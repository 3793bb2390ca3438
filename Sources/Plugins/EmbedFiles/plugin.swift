import Foundation
import PackagePlugin

/// Compiles files into a target as string literals, so the single `carewatch` binary
/// carries its default data set (CarewatchCore), its OpenAPI document and its dashboard
/// (CarewatchAPI).
/// SwiftPM's own `embedInCode` resource rule emits byte-array literals that took minutes to
/// type-check on 2 cores; raw string literals compile in seconds.
@main
struct EmbedFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let enumName: String
        let inputs: [URL]
        switch target.name {
        case "CarewatchCore":
            enumName = "EmbeddedSeedData"
            // The project's council and inspection files, and DfE's files exactly as published
            // (the seed reads them through the importer users use; see SeedData).
            let directory = context.package.directoryURL.appending(path: "data")
            inputs = [
                "councils.csv", "inspections.csv", "PROVENANCE.md",
                "sources/dfe/releases/csww_indicators_2017_to_2023.csv",
                "sources/dfe/releases/csww_indicators_2017_to_2024.csv",
                "sources/dfe/csww_indicators_2017_to_2025.csv",
                "sources/dfe/context/b1_children_in_need_2013_to_2025.csv",
                "sources/dfe/context/c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
                "sources/dfe/context/d3_cpps_subsequent_plan_2013_to_2025.csv",
                "sources/dfe/context/d5_cpps_at31march_by_duration_2013_to_2025.csv",
                "sources/dfe/context/cla_number_and_rate_per_10k_children.csv",
                "sources/dfe/context/la_cla_swcount.csv",
                "sources/dfe/context/ons_mid-year_population_estimates_2012_to_2024.csv",
                "sources/dfe/neighbours/sn_model_2025_wide.csv",
                "sources/dfe/neighbours/New_Statistical_Neighbour_Groupings_April_2021.csv",
            ].map { directory.appending(path: $0) }
        case "CarewatchAPI":
            // The OpenAPI document, and the dashboard's files (kept as ordinary .html, .css
            // and .js files in Dashboard/, which the target excludes from compilation).
            enumName = "EmbeddedDocuments"
            let dashboard = target.directoryURL.appending(path: "Dashboard")
            let files = try FileManager.default.contentsOfDirectory(atPath: dashboard.path())
                .filter { !$0.hasPrefix(".") }
                .sorted()
            inputs = [context.package.directoryURL.appending(path: "openapi.yaml")] + files.map { dashboard.appending(path: $0) }
        default:
            return []
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(enumName).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.map(\.lastPathComponent).joined(separator: ", ")) in \(target.name)",
                executable: try context.tool(named: "FileEmbedder").url,
                arguments: [enumName, output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
