// swift-tools-version: 6.1
import PackageDescription

// Module map (one job each, dependencies point one way):
//   CNNG, CLibPQ, CGHWHZlib, CGHWHIsal   system libraries (nng, libpq, zlib, ISA-L inflate)
//   CGHWHScan       header-only SSE2 byte classifiers for the projector's string and indentation loops
//   GHWHCalendar    proleptic Gregorian day arithmetic and YYYY-MM-DD formatting (pure, no deps)
//   GHWHRandom      SplitMix64, the one deterministic generator (pure, no deps)
//   GHWHHTML        HTML/XML text escaping shared by the report and the web UI (pure, no deps)
//   GHWHProcess     child processes: run to completion, or spawn, signal and wait (posix_spawn, no deps)
//   GHWHJSON        byte-level JSON record splitter and projector (hot path, no I/O)
//   GHWHModel       silver rows, reject reasons, timestamps, closing references (pure)
//   GHWHRaw         raw layout walker, zip/gzip/plain document streams, chunking
//   GHWHWarehouse   libpq, COPY encoding, migrations, merges, embedded Postgres
//   GHWHWire        nng sockets, frames, HMAC authentication, binary codec
//   GHWHSampleData  realistic raw-tree generator (gen-data)
//   GHWHCluster     planner, coordinator, workers, loader (tasks as values)
//   GHWHReport      `ghwh report`: queries over gold views, text/JSON/HTML renderers
//   GHWHWebUI       coordinator web UI, JSON API and Prometheus metrics (Hummingbird)
//   GHWHCLI         command types shared by the executables (swift-argument-parser)
//   ghwh, ghwh-submit, ghwh-bench   thin executables
//   GHWHFuzzTargets, ghwh-fuzz  libFuzzer targets for the parsers and the wire protocol (make fuzz)
let package = Package(
    name: "ghwh",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ghwh", targets: ["ghwh"]),
        .executable(name: "ghwh-submit", targets: ["ghwh-submit"]),
        .executable(name: "ghwh-bench", targets: ["ghwh-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        // Coordinator web UI only (linked by GHWHCLI, not by the core modules).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CNNG", path: "Sources/CNNG", providers: [.apt(["libnng-dev"])]),
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CGHWHZlib", path: "Sources/CGHWHZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CGHWHIsal", path: "Sources/CGHWHIsal", providers: [.apt(["libisal-dev"])]),

        .target(name: "GHWHCalendar"),
        .target(name: "GHWHRandom"),
        .target(name: "GHWHHTML"),
        .target(name: "GHWHProcess"),
        // Header-only SSE2 classifiers for the projector's hot loops.
        .systemLibrary(name: "CGHWHScan", path: "Sources/CGHWHScan"),
        .target(name: "GHWHJSON", dependencies: ["CGHWHScan"]),
        .target(name: "GHWHModel", dependencies: ["GHWHJSON", "GHWHCalendar"]),
        .target(
            name: "GHWHRaw",
            dependencies: [
                "CGHWHZlib", "CGHWHIsal", "GHWHCalendar", "GHWHModel",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "GHWHWire",
            dependencies: [
                "CNNG", .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(
            name: "GHWHWarehouse",
            dependencies: [
                "CLibPQ", "GHWHCalendar", "GHWHJSON", "GHWHModel", "GHWHProcess",
                .product(name: "Logging", package: "swift-log"),
            ], resources: [.copy("Migrations")]),
        .target(name: "GHWHSampleData", dependencies: ["CGHWHZlib", "GHWHCalendar", "GHWHRandom"]),
        .target(
            name: "GHWHCluster",
            dependencies: [
                "GHWHJSON", "GHWHModel", "GHWHRaw", "GHWHWarehouse", "GHWHWire",
                .product(name: "Logging", package: "swift-log"),
            ]),

        .target(name: "GHWHReport", dependencies: ["GHWHWarehouse", "GHWHCalendar", "GHWHHTML"]),
        .target(
            name: "GHWHWebUI",
            dependencies: [
                "GHWHHTML",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .target(
            name: "GHWHCLI",
            dependencies: [
                "GHWHCluster", "GHWHSampleData", "GHWHWarehouse", "GHWHRaw", "GHWHReport", "GHWHWire", "GHWHWebUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(name: "ghwh", dependencies: ["GHWHCLI"]),
        .executableTarget(name: "ghwh-submit", dependencies: ["GHWHCLI"]),
        .executableTarget(
            name: "ghwh-bench",
            dependencies: [
                "CGHWHZlib", "GHWHJSON", "GHWHModel", "GHWHProcess", "GHWHRaw", "GHWHSampleData", "GHWHWarehouse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Fuzz targets (issue 13): pure functions checking properties; ghwh-fuzz runs them
        // under libFuzzer (built by scripts/fuzz.sh) or replays files (built normally).
        .target(
            name: "GHWHFuzzTargets",
            dependencies: [
                "GHWHJSON", "GHWHRaw", "GHWHWire", "GHWHCluster", "GHWHSampleData", "GHWHRandom", "CGHWHZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .executableTarget(name: "ghwh-fuzz", dependencies: ["GHWHFuzzTargets"]),

        .target(name: "GHWHTestSupport", dependencies: ["GHWHWarehouse", "GHWHRandom"]),

        .testTarget(name: "GHWHCalendarTests", dependencies: ["GHWHCalendar", "GHWHRandom"]),
        .testTarget(name: "GHWHRandomTests", dependencies: ["GHWHRandom"]),
        .testTarget(name: "GHWHHTMLTests", dependencies: ["GHWHHTML"]),
        .testTarget(name: "GHWHProcessTests", dependencies: ["GHWHProcess"]),

        .testTarget(name: "GHWHJSONTests", dependencies: ["GHWHJSON", "GHWHTestSupport", "GHWHRandom"]),
        .testTarget(name: "GHWHModelTests", dependencies: ["GHWHModel", "GHWHJSON", "GHWHTestSupport", "GHWHRandom"]),
        .testTarget(
            name: "GHWHRawTests",
            dependencies: [
                "GHWHRaw", "CGHWHZlib", "GHWHRandom", "GHWHProcess",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        .testTarget(
            name: "GHWHSampleDataTests",
            dependencies: [
                "GHWHSampleData", "CGHWHZlib", "GHWHTestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        .testTarget(
            name: "GHWHWarehouseTests",
            dependencies: ["GHWHWarehouse", "GHWHModel", "GHWHTestSupport", "GHWHRandom", "GHWHCalendar"]),
        .testTarget(name: "GHWHReportTests", dependencies: ["GHWHReport"]),
        .testTarget(name: "GHWHWireTests", dependencies: ["GHWHWire", "GHWHProcess"]),
        .testTarget(
            name: "GHWHWebUITests",
            dependencies: [
                "GHWHWebUI", "GHWHHTML", "GHWHTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        .testTarget(name: "GHWHFuzzTests", dependencies: ["GHWHFuzzTargets", "GHWHJSON", "GHWHWire", "GHWHCluster"]),
        .testTarget(
            name: "GHWHClusterTests",
            dependencies: [
                "GHWHCluster", "GHWHWarehouse", "GHWHSampleData", "GHWHRaw", "GHWHModel", "GHWHTestSupport", "GHWHCLI",
                "GHWHReport", "GHWHJSON", "GHWHWire", "GHWHProcess",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
    ]
)
