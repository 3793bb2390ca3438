// swift-tools-version:6.1
import PackageDescription

/// Store benchmark: builds the project's CarewatchCore sources (symlinked, so there is one
/// copy of the code) into a standalone release executable, without touching the main manifest.
let package = Package(
    name: "store-bench",
    platforms: [.macOS(.v15)],
    targets: [
        .target(name: "HexEncoding"),
        .target(name: "CarewatchCore", dependencies: ["HexEncoding"], plugins: ["EmbedFiles"]),
        .executableTarget(name: "FileEmbedder"),
        .plugin(name: "EmbedFiles", capability: .buildTool(), dependencies: ["FileEmbedder"], path: "Sources/Plugins/EmbedFiles"),
        .executableTarget(name: "StoreBench", dependencies: ["CarewatchCore"]),
    ]
)
