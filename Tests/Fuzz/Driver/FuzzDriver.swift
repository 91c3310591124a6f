import Foundation
import FuzzHarnesses

// ddp-fuzz: the libFuzzer entry point over one harness, chosen by DDP_FUZZ_TARGET
// (tools/fuzz.sh builds it with -sanitize=fuzzer,address, -parse-as-library and -D FUZZING:
// libFuzzer then supplies `main`). Built normally (the package's own build), it replays
// files instead:
//   ddp-fuzz HARNESS FILE...
// Only declarations here: a library-mode file may hold no top-level statements, even in an
// inactive #if branch.

/// A directory of this process for the readers that take a path.
let scratch: String = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ddp-fuzz-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

#if FUZZING
    let harness: FuzzHarness = {
        let name = ProcessInfo.processInfo.environment["DDP_FUZZ_TARGET"] ?? ""
        guard let harness = FuzzHarness.named(name) else {
            FileHandle.standardError.write(
                Data("DDP_FUZZ_TARGET must be one of \(FuzzHarness.all.map(\.name)), found \"\(name)\"\n".utf8))
            exit(2)
        }
        return harness
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        harness.run(Array(UnsafeBufferPointer(start: data, count: size)), scratch: scratch)
        return 0
    }

    public typealias Arguments = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?

    /// libFuzzer's driver, entered from our own entry point (below).
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<Arguments>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's entry point under this name (`main` is defined as it),
    /// so libFuzzer's own `main` is never pulled in: start its driver here.
    @_cdecl("ddp_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: Arguments) -> CInt {
        var count = argc
        var values = argv
        return runFuzzerDriver(&count, &values, fuzzOne)
    }
#else
    @main
    enum Replay {
        static func main() {
            let arguments = CommandLine.arguments
            guard arguments.count >= 2, let harness = FuzzHarness.named(arguments[1]) else {
                let names = FuzzHarness.all.map(\.name).joined(separator: " ")
                print("usage: ddp-fuzz HARNESS FILE...   (harnesses: \(names))")
                exit(2)
            }
            for file in arguments.dropFirst(2) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("\(file): cannot read")
                    exit(1)
                }
                harness.run([UInt8](data), scratch: scratch)
                print("\(file): ok")
            }
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }
#endif
