import Testing
@testable import Model

/// The run log's kernel line: the CPU's instruction set from /proc/cpuinfo text, OpenBLAS's
/// core names, and the warnings for a node running below its CPU.
@Suite struct KernelReportTests {
    typealias ISA = KernelReport.VectorISA

    static let zen3Flags = "fpu vme sse sse2 ssse3 fma cx16 sse4_1 sse4_2 avx f16c avx2 bmi1 bmi2"
    static let zen5Flags = zen3Flags + " avx512f avx512dq avx512cd avx512bw avx512vl avx512_bf16"

    @Test func cpuInstructionSetFromCpuinfo() {
        let cpuinfo = { (flags: String) in "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: \(flags)\n\n" }
        #expect(KernelReport.cpuISA(cpuinfo: cpuinfo(Self.zen3Flags)) == .avx2)
        #expect(KernelReport.cpuISA(cpuinfo: cpuinfo(Self.zen5Flags)) == .avx512)
        #expect(KernelReport.cpuISA(cpuinfo: cpuinfo("fpu sse sse2 avx")) == .sse)
        #expect(KernelReport.cpuISA(cpuinfo: "processor\t: 0\n") == nil)
        #expect(KernelReport.cpuISA(cpuinfo: nil) == nil)
    }

    @Test func openBLASCoreNames() {
        #expect(ISA(openBLASCore: "Cooperlake") == .avx512)
        #expect(ISA(openBLASCore: "SKYLAKEX") == .avx512)
        #expect(ISA(openBLASCore: "Haswell") == .avx2)
        #expect(ISA(openBLASCore: "Zen") == .avx2)
        #expect(ISA(openBLASCore: "Sandybridge") == .sse)
        #expect(ISA(openBLASCore: "NEOVERSEN1") == nil)
    }

    @Test func warnsWhereTheNodeRunsBelowItsCPU() {
        let forced = KernelReport(cpu: .avx512, build: .avx512, blasCore: "Haswell", blasCoreForced: true)
        #expect(forced.warnings.count == 1)
        #expect(forced.warnings.first?.contains("OPENBLAS_CORETYPE forces") == true)
        #expect(forced.summary.contains("OpenBLAS Haswell (AVX2), forced by OPENBLAS_CORETYPE"))

        let oldBuild = KernelReport(cpu: .avx512, build: .avx2, blasCore: "Cooperlake", blasCoreForced: false)
        #expect(oldBuild.warnings.count == 1)
        #expect(oldBuild.warnings.first?.contains("DDP_TRAIN_TARGET_CPU") == true)

        let matched = KernelReport(cpu: .avx2, build: .avx2, blasCore: "Zen", blasCoreForced: false)
        #expect(matched.warnings.isEmpty)
        #expect(matched.summary == "AVX2 CPU; products OpenBLAS Zen (AVX2), element-wise code built for AVX2")
    }
}
