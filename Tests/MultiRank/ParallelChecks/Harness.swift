import Foundation
import Parallel

/// Runs named checks on every rank. Each check returns whether it passed on this rank and a
/// detail line; the ranks then agree on the result (one collective), so a failure on one rank
/// is a failure everywhere and every rank reaches the same next check: nobody hangs.
final class CheckRunner {
    let communicator: Communicator
    private(set) var failed: [String] = []
    private(set) var passed = 0

    init(communicator: Communicator) {
        self.communicator = communicator
    }

    /// Prints from rank 0 only.
    func say(_ line: String) {
        if communicator.isRoot { print(line) }
        fflush(nil)
    }

    func check(_ name: String, _ body: () throws(MPIError) -> (passed: Bool, detail: String)) {
        do {
            let (ok, detail) = try body()
            var flags = [Int64](repeating: 0, count: communicator.size)
            try flags.withUnsafeMutableBufferPointer { (buffer) throws(MPIError) in
                try communicator.allgather(ok ? 1 : 0, into: buffer)
            }
            let failing = flags.indices.filter { flags[$0] == 0 }
            if !ok {
                FileHandle.standardError.write(
                    "[rank \(communicator.rank)] FAIL \(name): \(detail)\n".data(using: .utf8)!)
            }
            if failing.isEmpty {
                passed += 1
                say("PASS \(name): \(detail)")
            } else {
                failed.append(name)
                say("FAIL \(name): failed on ranks \(failing); rank 0: \(detail)")
            }
        } catch {
            // An MPI error is fatal: end the whole job rather than leave ranks waiting.
            FileHandle.standardError.write(
                "[rank \(communicator.rank)] error in \(name): \(error)\n".data(using: .utf8)!)
            communicator.abort(code: 2)
        }
    }
}

/// Allocates `count` floats initialised by `value(i)`; the caller deallocates.
func makeFloats(_ count: Int, _ value: (Int) -> Float) -> UnsafeMutableBufferPointer<Float> {
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
    for i in 0..<count { buffer[i] = value(i) }
    return buffer
}

/// Index of the first element whose bits differ, or nil.
func firstBitDifference(_ a: UnsafeMutableBufferPointer<Float>, _ b: UnsafeMutableBufferPointer<Float>) -> Int? {
    precondition(a.count == b.count)
    for i in 0..<a.count where a[i].bitPattern != b[i].bitPattern { return i }
    return nil
}

/// Burns `seconds` of this thread's CPU time (not wall time, so that other processes on the
/// machine lengthen the step rather than shorten the work) on a cache-resident loop: a
/// stand-in for backward compute.
@inline(never)
func compute(seconds: Double, scratch: UnsafeMutableBufferPointer<Float>) {
    func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
    let end = cpuSeconds() + seconds
    var x: Float = 1
    while cpuSeconds() < end {
        for i in 0..<scratch.count {
            x = x * 0.999_99 + scratch[i]
            scratch[i] = x * 1e-3
        }
    }
}

func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
