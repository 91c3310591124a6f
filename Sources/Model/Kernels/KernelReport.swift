import Foundation

/// What the step's kernels run with on this node, for the run log: the CPU's widest vector
/// instruction set, the matrix-product kernels OpenBLAS chose (at run time, by CPU — unless
/// `OPENBLAS_CORETYPE` forces a core), and the instruction set ddp-train's own element-wise
/// code was compiled for (`DDP_TRAIN_TARGET_CPU`, fixed per build: Swift has no per-function
/// target attributes, so one build cannot carry both widths).
///
/// The products are most of the step, so OpenBLAS's choice matters most; the warnings name
/// the two ways a node runs below what it has.
public struct KernelReport: Sendable {
    public enum VectorISA: Int, Comparable, Sendable, CustomStringConvertible {
        case sse = 0, avx2, avx512

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .sse: "SSE"
            case .avx2: "AVX2"
            case .avx512: "AVX-512"
            }
        }

        /// From the `flags` line of /proc/cpuinfo.
        init(cpuFlags flags: Set<Substring>) {
            if flags.contains("avx512f") && flags.contains("avx512bw") {
                self = .avx512
            } else if flags.contains("avx2") && flags.contains("fma") {
                self = .avx2
            } else {
                self = .sse
            }
        }

        /// From an OpenBLAS x86 core name (`openblas_get_corename`, `OPENBLAS_CORETYPE`);
        /// nil for cores of other architectures or names it does not know.
        init?(openBLASCore name: String) {
            switch name.lowercased() {
            case "skylakex", "cooperlake", "sapphirerapids": self = .avx512
            case "haswell", "zen", "skylake", "excavator": self = .avx2
            case "sandybridge", "nehalem", "core2", "penryn", "dunnington", "atom", "barcelona", "bulldozer",
                "piledriver", "steamroller", "prescott", "katmai", "coppermine", "northwood", "opteron", "opteron_sse3":
                self = .sse
            default: return nil
            }
        }
    }

    public var cpu: VectorISA?
    public var build: VectorISA
    public var blasCore: String
    public var blasCoreForced: Bool

    /// The instruction set this build's element-wise code targets (Package.swift passes it).
    public static var buildISA: VectorISA {
        #if DDP_BUILD_AVX512
            .avx512
        #elseif DDP_BUILD_AVX2
            .avx2
        #else
            .sse
        #endif
    }

    /// This node: /proc/cpuinfo, OpenBLAS and the build.
    public static func current() -> KernelReport {
        let environment = ProcessInfo.processInfo.environment
        return KernelReport(
            cpu: cpuISA(cpuinfo: try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)),
            build: buildISA, blasCore: BLAS.coreName,
            blasCoreForced: !(environment["OPENBLAS_CORETYPE"] ?? "").isEmpty)
    }

    static func cpuISA(cpuinfo: String?) -> VectorISA? {
        guard let cpuinfo else { return nil }
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return VectorISA(cpuFlags: Set(line[line.index(after: colon)...].split(separator: " ")))
        }
        return nil
    }

    /// One line for the run log, e.g. `AVX-512 CPU; products OpenBLAS Cooperlake (AVX-512),
    /// element-wise code built for AVX-512`.
    public var summary: String {
        let blasISA = VectorISA(openBLASCore: blasCore).map { " (\($0))" } ?? ""
        return "\(cpu.map { "\($0) CPU" } ?? "CPU unknown"); products OpenBLAS \(blasCore)\(blasISA)"
            + "\(blasCoreForced ? ", forced by OPENBLAS_CORETYPE" : ""), element-wise code built for \(build)"
    }

    /// Where this node runs below what its CPU has.
    public var warnings: [String] {
        guard let cpu else { return [] }
        var warnings: [String] = []
        if let blas = VectorISA(openBLASCore: blasCore), blas < cpu {
            warnings.append(
                "the matrix products run OpenBLAS's \(blasCore) (\(blas)) kernels on a CPU with \(cpu)"
                    + (blasCoreForced
                        ? ": OPENBLAS_CORETYPE forces them; unset it to let OpenBLAS choose"
                        : ": this OpenBLAS does not know the CPU; a newer one may"))
        }
        if build < cpu {
            warnings.append(
                "this build's element-wise code targets \(build) on a CPU with \(cpu) (DDP_TRAIN_TARGET_CPU); "
                    + "a build for this CPU is a few per cent faster")
        }
        return warnings
    }
}
