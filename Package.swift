// swift-tools-version:6.1
import PackageDescription

/// carewatch: the HTTP engine, the domain and its store, the API that joins them, and a thin
/// executable. Toolchain only: no package dependencies, by design.
let package = Package(
    name: "carewatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "carewatch", targets: ["carewatch"]),
        .library(name: "HTTPEngine", targets: ["HTTPEngine"]),
    ],
    // The module graph, strict (each target names every module it imports):
    //   HexEncoding, CEngineSystem ← HTTPEngine ← CarewatchAPI ← carewatch
    //   HexEncoding ← CarewatchCore ← CarewatchAPI
    // HTTPEngine and CarewatchCore know nothing of each other; CarewatchAPI joins them.
    targets: [
        // Lowercase hex digits, shared by the engine and the core (a leaf: depends on nothing).
        .target(name: "HexEncoding"),

        // A general HTTP/1.1 server on raw sockets and Dispatch. Knows nothing about councils.
        .target(name: "HTTPEngine", dependencies: ["HexEncoding", "CEngineSystem"]),
        // epoll, which the Glibc module does not import (a header, no code of its own).
        .systemLibrary(name: "CEngineSystem", path: "Sources/CEngineSystem"),

        // Domain model, validation, statistics, formats and the durable in-memory store.
        // Its default data is embedded from data/ at the package root (see data/PROVENANCE.md).
        .target(name: "CarewatchCore", dependencies: ["HexEncoding"], plugins: ["EmbedFiles"]),

        // The REST API v1: routes, handlers, auth, metrics and configuration.
        // Its dashboard (Dashboard/: HTML, CSS, JavaScript) is embedded, not compiled.
        // Its async code (write handlers) runs where its caller runs unless it says otherwise,
        // so a write started on an event loop stays there until it waits for the disk.
        .target(name: "CarewatchAPI", dependencies: ["HTTPEngine", "CarewatchCore", "HexEncoding"], exclude: ["Dashboard"],
                swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")], plugins: ["EmbedFiles"]),

        // The command line: serve, import, export, check, healthcheck.
        .executableTarget(name: "carewatch", dependencies: ["CarewatchAPI"]),

        // Build-time embedding of the default data, so that one binary runs anywhere.
        .executableTarget(name: "FileEmbedder"),
        .plugin(
            name: "EmbedFiles",
            capability: .buildTool(),
            dependencies: ["FileEmbedder"],
            path: "Sources/Plugins/EmbedFiles"
        ),

        // Engine-only server for bench/engine (not part of the product).
        .executableTarget(name: "EngineBenchServer", dependencies: ["HTTPEngine"], path: "bench/engine/EngineBenchServer"),

        // A raw-socket HTTP/1.1 client shared by the suites that talk to a real server.
        .target(name: "HTTPTestClient", path: "Tests/HTTPTestClient"),
        // Locates the repository's data/ folder for the suites that read the official files,
        // and a seeded generator for randomised tests.
        .target(name: "TestFixtures", path: "Tests/TestFixtures"),

        .testTarget(name: "HTTPEngineTests", dependencies: ["HTTPEngine"]),
        .testTarget(name: "CarewatchCoreTests", dependencies: ["CarewatchCore", "HexEncoding", "TestFixtures"]),
        .testTarget(name: "CarewatchAPITests", dependencies: ["CarewatchAPI", "HTTPEngine", "CarewatchCore", "HTTPTestClient", "TestFixtures"]),
        .testTarget(name: "EndToEndTests", dependencies: ["carewatch", "HTTPTestClient", "TestFixtures"]),
        // Rules about the sources themselves (layering, one encoder per job, no dead code).
        .testTarget(name: "RepositoryTests", dependencies: ["TestFixtures"]),
    ]
)
