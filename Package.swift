// swift-tools-version:6.0
// ddp-train: data-parallel fine-tuning of BERT-family encoders over MPI.
// No outside packages: the C libraries (Open MPI, OpenBLAS) come from the system through
// pkg-config, everything else is written here.
import Foundation
import PackageDescription

/// The CPU release builds are compiled for. `native` (the default) lets the SIMD kernels use
/// the build machine's vector width (AVX-512 on the machines here; plain x86-64 code is
/// SSE2, 4 lanes). Build for another node type with e.g. `DDP_TRAIN_TARGET_CPU=haswell`.
let targetCPU = ProcessInfo.processInfo.environment["DDP_TRAIN_TARGET_CPU"] ?? "native"

/// Hot loops in release builds run without bounds or exclusivity checks; the numeric kernels
/// are covered by tests against naive references in debug builds, where the checks stay on.
let fastRelease: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked", "-target-cpu", targetCPU], .when(configuration: .release))
]

let package = Package(
    name: "ddp-train",
    products: [
        .executable(name: "ddp-train", targets: ["ddp-train"])
    ],
    targets: [
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // The one JSON value, parser and writer for every JSON file the project reads or writes.
        .target(name: "JSON", swiftSettings: fastRelease),
        .target(name: "Model", dependencies: ["CBLAS", "JSON"], swiftSettings: fastRelease),
        .target(name: "Text", dependencies: ["JSON"], swiftSettings: fastRelease),
        .target(name: "Parallel", dependencies: ["CMPI"], swiftSettings: fastRelease),
        // What a run shows besides metrics.jsonl: TensorBoard event files and the HTML report.
        .target(name: "Reports", dependencies: ["JSON"], swiftSettings: fastRelease),
        .target(
            name: "Training", dependencies: ["JSON", "Model", "Text", "Parallel", "Reports"], exclude: ["Tasks/README.md"],
            swiftSettings: fastRelease),
        .executableTarget(name: "ddp-train", dependencies: ["Training", "Model", "Text", "Parallel", "Reports"], swiftSettings: fastRelease),
        // What every test target shares: tolerances, the pretrained-model locator, the paths
        // of Tests/Fixtures (found through #filePath) and the one missing-fixture error.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "TestSupport"]),
        .testTarget(name: "TextTests", dependencies: ["Text", "JSON", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "JSON"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TestSupport"]),
        .testTarget(name: "ParallelTests", dependencies: ["Parallel", "TestSupport"]),
        // The command line: option table, --config files, commands, progress style.
        .testTarget(name: "CommandLineTests", dependencies: ["ddp-train", "Training", "TestSupport"]),
        // Multi-rank checks under mpirun, in Tests/MultiRank: of the Parallel module
        // (run-parallel-checks.sh) and of the ddp-train binary end to end (run-training-checks.sh).
        // (The parallel checks include the cross-rank embedding losses, which live in Training.)
        .executableTarget(
            name: "parallel-checks", dependencies: ["Parallel", "Training"], path: "Tests/MultiRank/ParallelChecks"),
        .executableTarget(name: "training-checks", dependencies: ["Model"], path: "Tests/MultiRank/TrainingChecks"),
        // Fuzzing (tools/fuzz.sh): the parsers of untrusted input as harnesses, the libFuzzer
        // driver over them, and the replay of the committed corpora and crash inputs.
        .target(name: "FuzzHarnesses", dependencies: ["JSON", "Model", "Text", "Training"], path: "Tests/Fuzz/Harnesses"),
        .executableTarget(name: "ddp-fuzz", dependencies: ["FuzzHarnesses"], path: "Tests/Fuzz/Driver"),
        .testTarget(
            name: "FuzzRegressionTests", dependencies: ["FuzzHarnesses", "TestSupport"], path: "Tests/Fuzz/RegressionTests"),
        // The benchmark of the training step (bench/run.sh runs it beside PyTorch).
        .executableTarget(name: "ddp-bench", dependencies: ["Training", "Model", "Parallel", "Text"], path: "bench/DDPBench",
                          swiftSettings: fastRelease),
    ]
)
