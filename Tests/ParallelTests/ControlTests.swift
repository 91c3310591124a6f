import Testing
#if canImport(Glibc)
    import Glibc
#endif
@testable import Parallel

@Suite struct ControlFlagsTests {
    @Test func slotsRoundTrip() {
        let flags = ControlFlags(stop: true, save: false, earlyStop: false, failed: true)
        #expect(ControlFlags(slots: flags.slots) == flags)
        #expect(ControlFlags(slots: ControlFlags().slots) == ControlFlags())
    }
}

/// Signal state is process-global: one serialized suite touches it.
@Suite(.serialized) struct SignalFlagsTests {
    /// Sends `signal` to the process, as mpirun or Slurm do (test threads may block signals,
    /// so `raise` on this thread would not do), and waits until some thread has handled it.
    func deliver(_ signal: Int32, until handled: () -> Bool) -> Bool {
        kill(getpid(), signal)
        for _ in 0..<1_000 {
            if handled() { return true }
            usleep(1_000)
        }
        return false
    }

    @Test func usr1StopsAndStaysSetUsr2SavesOnce() {
        SignalFlags.install()
        SignalFlags.clear()
        #expect(!SignalFlags.stopRequested)
        var flags = ControlFlags()
        #expect(
            deliver(SIGUSR2) {
                SignalFlags.apply(to: &flags)
                return flags.save
            })
        #expect(flags.save && !flags.stop)
        #expect(!SignalFlags.takeSaveRequest(), "a save request is consumed when read")
        #expect(deliver(SIGUSR1) { SignalFlags.stopRequested })
        #expect(SignalFlags.stopRequested, "a stop request stays")
        SignalFlags.clear()
        #expect(!SignalFlags.stopRequested)
    }
}

@Suite struct ReplicaTests {
    // Reference values from the xxHash library itself (Debian libxxhash 0.8.1):
    //   lib = ctypes.CDLL("libxxhash.so.0"); lib.XXH64.restype = ctypes.c_uint64
    //   b = bytes((i*37+11) % 256 for i in range(n)); hex(lib.XXH64(b, len(b), 0))
    @Test(arguments: [
        (0, 0xef46_db37_51d8_e999 as UInt64), (1, 0xf592_c0c7_639c_4cb6), (3, 0x22c0_8528_601d_4f27),
        (4, 0xfb1e_5cf2_f1ae_4d95), (7, 0x5613_ac51_0496_c04e), (8, 0x57cb_2b75_21f3_e21a),
        (31, 0xe4a0_e629_e519_a4ae), (32, 0xcc6b_8aaa_da79_0b2d), (33, 0x35ec_4985_0475_a832),
        (63, 0xbf9f_0ba3_cf95_b28a), (64, 0x155c_cce4_bf32_befc), (100, 0x4826_e367_566e_a023),
    ])
    func hashIsXXH64(length: Int, expected: UInt64) {
        let bytes = (0..<length).map { UInt8(($0 * 37 + 11) % 256) }
        #expect(bytes.withUnsafeBytes { ReplicaChecksum.hash($0) } == expected)
    }

    //   fl = struct.pack("<1000f", *[i*0.25-3 for i in range(1000)]); hex(lib.XXH64(fl, len(fl), 0))
    @Test func hashOfFloats() {
        let values = (0..<1_000).map { Float($0) * 0.25 - 3 }
        #expect(values.withUnsafeBufferPointer { ReplicaChecksum.hash($0) } == 0x3855_d479_cc0f_8742)
    }

    @Test func hashSeesEveryBit() {
        var values = [Float](repeating: 0, count: 1_001)
        let zero = values.withUnsafeBufferPointer { ReplicaChecksum.hash($0) }
        values[1_000] = -0.0
        #expect(values.withUnsafeBufferPointer { ReplicaChecksum.hash($0) } != zero)
    }

    @Test func reportNamesTheMinority() {
        #expect(ReplicaReport(hashes: [7]).identical)
        #expect(ReplicaReport(hashes: [7, 7, 7]).identical)
        #expect(ReplicaReport(hashes: [7, 7, 9, 7]).differingRanks == [2])
        #expect(ReplicaReport(hashes: [9, 7, 7]).differingRanks == [0])
        #expect(ReplicaReport(hashes: [7, 9]).differingRanks == [1], "a tie keeps rank 0's hash as the reference")
        #expect(ReplicaReport(hashes: [1, 2, 3]).differingRanks == [1, 2])
    }
}

@Suite struct ThreadPlanTests {
    func plan(_ environment: [String: String], ranks: Int, online: Int = 16, affinity: Int = 16) throws -> ThreadPlan {
        try ThreadPlan(ranksOnNode: ranks, environment: { environment[$0] }, onlineCPUs: online, affinityCPUs: affinity)
    }

    @Test func coresAreDividedAmongTheRanksOnTheNode() throws {
        #expect(try plan([:], ranks: 1).threads == 16)
        #expect(try plan([:], ranks: 4).threads == 4)
        #expect(try plan([:], ranks: 3).threads == 5)
        #expect(try plan([:], ranks: 32).threads == 1)
        #expect(try plan([:], ranks: 2, online: 2, affinity: 2).threads == 1)
        #expect(try plan([:], ranks: 1, online: 2, affinity: 1).threads == 1, "a rank bound to one core")
        #expect(try plan([:], ranks: 1).source == "computed")
        #expect(try plan([:], ranks: 1, online: 2, affinity: 1).isLimitedByBinding)
        #expect(try !plan([:], ranks: 2, online: 2, affinity: 1).isLimitedByBinding)
    }

    @Test func environmentOverridesInOpenBLASOrder() throws {
        #expect(
            try plan(["DDP_TRAIN_THREADS": "3", "OPENBLAS_NUM_THREADS": "5", "OMP_NUM_THREADS": "7"], ranks: 4).threads
                == 3)
        #expect(try plan(["OPENBLAS_NUM_THREADS": "5", "OMP_NUM_THREADS": "7"], ranks: 4).threads == 5)
        #expect(try plan(["OMP_NUM_THREADS": "7,2"], ranks: 4).threads == 7)
        #expect(try plan(["OMP_NUM_THREADS": "lots"], ranks: 4).threads == 4, "malformed OpenMP values are ignored")
        #expect(try plan(["DDP_TRAIN_THREADS": ""], ranks: 4).threads == 4)
    }

    @Test(arguments: ["0", "-1", "two", "1.5"])
    func invalidOwnVariableIsAnError(value: String) {
        #expect(throws: ThreadPlanError.self) { try plan(["DDP_TRAIN_THREADS": value], ranks: 1) }
    }
}
