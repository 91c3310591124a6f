// swift-tools-version:6.0
// ddp-train: data-parallel fine-tuning of BERT-family encoders over MPI.
// No outside packages: the C libraries (Open MPI, OpenBLAS) come from the system through
// pkg-config, everything else is written here.
import Foundation
import PackageDescription

/// The CPU release builds are compiled for. `native` (the default) lets the SIMD kernels use
/// the build machine's vector width (plain x86-64 code is SSE2, 4 lanes). One build for
/// several node types: the oldest of them, e.g. `DDP_TRAIN_TARGET_CPU=haswell` for every AVX2
/// and AVX-512 x86 node (the matrix products pick their kernels at run time in OpenBLAS either way).
let targetCPU = ProcessInfo.processInfo.environment["DDP_TRAIN_TARGET_CPU"] ?? "native"

/// The vector instruction set `targetCPU` gives the element-wise code, as a compilation
/// condition the run log reads back (`KernelReport`): `native` is the build machine's
/// /proc/cpuinfo, a named CPU is looked up (LLVM's names).
let targetISA: String? = {
    let avx512CPUs: Set<String> = [
        "skylake-avx512", "skx", "cascadelake", "cooperlake", "cannonlake", "icelake-client", "icelake-server",
        "tigerlake", "rocketlake", "sapphirerapids", "emeraldrapids", "graniterapids", "graniterapids-d",
        "diamondrapids", "znver4", "znver5", "knl", "knm",
    ]
    let avx2CPUs: Set<String> = [
        "haswell", "core-avx2", "broadwell", "skylake", "alderlake", "raptorlake", "meteorlake", "arrowlake",
        "arrowlake-s", "lunarlake", "gracemont", "pantherlake", "sierraforest", "grandridge", "clearwaterforest",
        "znver1", "znver2", "znver3", "bdver4",
    ]
    if targetCPU == "native" {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.contains("avx512f") && flags.contains("avx512bw") { return "DDP_BUILD_AVX512" }
        return flags.contains("avx2") && flags.contains("fma") ? "DDP_BUILD_AVX2" : nil
    }
    if avx512CPUs.contains(targetCPU) { return "DDP_BUILD_AVX512" }
    return avx2CPUs.contains(targetCPU) ? "DDP_BUILD_AVX2" : nil
}()

/// Hot loops in release builds run without bounds or exclusivity checks; the numeric kernels
/// are covered by tests against naive references in debug builds, where the checks stay on.
let fastRelease: [SwiftSetting] =
    [
        .unsafeFlags(
            ["-Ounchecked", "-enforce-exclusivity=unchecked", "-target-cpu", targetCPU], .when(configuration: .release))
    ] + (targetISA.map { [.define($0, .when(configuration: .release))] } ?? [])

let package = Package(
    name: "ddp-train",
    products: [
        .executable(name: "ddp-train", targets: ["ddp-train"])
    ],
    targets: [
        .systemLibrary(
            name: "CMPI", pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        // Header only: vector operations Swift's SIMD types would run lane by lane.
        .systemLibrary(name: "CVectorMath"),
        // Header only: SHA-256 rounds on the x86 SHA extensions (checkpoint manifests).
        .systemLibrary(name: "CHashing"),
        // The one JSON value, parser and writer for every JSON file the project reads or writes.
        .target(name: "JSON", swiftSettings: fastRelease),
        .target(name: "Model", dependencies: ["CBLAS", "CVectorMath", "JSON"], swiftSettings: fastRelease),
        .target(name: "Text", dependencies: ["JSON"], swiftSettings: fastRelease),
        .target(name: "Parallel", dependencies: ["CMPI"], swiftSettings: fastRelease),
        // What a run shows besides metrics.jsonl: TensorBoard event files and the HTML report.
        .target(name: "Reports", dependencies: ["JSON"], swiftSettings: fastRelease),
        .target(
            name: "Training", dependencies: ["CHashing", "JSON", "Model", "Text", "Parallel", "Reports"],
            exclude: ["Tasks/README.md"],
            swiftSettings: fastRelease),
        .executableTarget(
            name: "ddp-train", dependencies: ["Training", "Model", "Text", "Parallel", "Reports"],
            swiftSettings: fastRelease),
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
        .target(
            name: "FuzzHarnesses", dependencies: ["JSON", "Model", "Text", "Training"], path: "Tests/Fuzz/Harnesses"),
        .executableTarget(name: "ddp-fuzz", dependencies: ["FuzzHarnesses"], path: "Tests/Fuzz/Driver"),
        .testTarget(
            name: "FuzzRegressionTests", dependencies: ["FuzzHarnesses", "TestSupport"],
            path: "Tests/Fuzz/RegressionTests"),
        // The benchmark of the training step (bench/run.sh runs it beside PyTorch).
        .executableTarget(
            name: "ddp-bench", dependencies: ["Training", "Model", "Parallel", "Text"], path: "bench/DDPBench",
            swiftSettings: fastRelease),
    ]
)
