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
            let directory = context.package.directoryURL.appending(path: "data")
            inputs = ["councils.csv", "inspections.csv", "workforce.csv", "PROVENANCE.md"].map { directory.appending(path: $0) }
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
