import PackagePlugin

/// Compiles the default data set (CSV files under `Seed/Data`) into the library as string
/// literals, so the single `carewatch` binary carries the real councils, inspections and
/// workforce rows. SwiftPM's own `embedInCode` resource rule emits byte-array literals that
/// take minutes to type-check; raw string literals compile in seconds.
@main
struct EmbedSeedData: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let dataDirectory = target.directoryURL.appending(path: "Seed/Data")
        let names = ["councils.csv", "inspections.csv", "workforce.csv", "PROVENANCE.md"]
        let inputs = names.map { dataDirectory.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSeedData.swift")
        return [
            .buildCommand(
                displayName: "Embedding the default data set",
                executable: try context.tool(named: "SeedEmbedder").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
