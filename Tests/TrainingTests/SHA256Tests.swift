import Foundation
import Testing

@testable import Training

/// SHA-256 against the FIPS 180-4 example vectors (NIST "Cryptographic Standards and
/// Guidelines: Examples with Intermediate Values", SHA-256) and against `sha256sum`.
@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        // 448 bits: the padding no longer fits the first block.
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        // 896 bits.
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                + "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func fipsVectors(_ message: String, _ expected: String) {
        #expect(SHA256.hash(Array(message.utf8)).hex == expected)
        var software = SHA256(hardware: false)
        software.update(Array(message.utf8))
        #expect(software.finalize().hex == expected, "software rounds")
    }

    /// The CPU's SHA instructions and the software rounds give the same digest for every
    /// length up to five blocks and for a long message fed in uneven pieces.
    @Test(.enabled(if: SHA256.hardwareAvailable, "this CPU has no SHA instructions"))
    func hardwareEqualsSoftware() {
        let message = (0..<100_003).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        for length in Array(0...320) + [message.count] {
            var hardware = SHA256(hardware: true), software = SHA256(hardware: false)
            #expect(hardware.usesHardware && !software.usesHardware)
            var start = 0
            while start < length {
                let end = min(start + 1 + start % 97, length)
                message[start..<end].withUnsafeBytes {
                    hardware.update($0)
                    software.update($0)
                }
                start = end
            }
            #expect(hardware.finalize() == software.finalize(), "length \(length)")
        }
    }

    @Test func oneMillionA() {
        let digest = SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(digest.description == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Any split of the message into `update` calls gives the one-shot digest, including
    /// splits at and around the 64-byte block and the 56-byte padding boundary.
    @Test func streamingEqualsOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000] {
            let expected = SHA256.hash(message[0..<length])
            for piece in [1, 3, 7, 63, 64, 65, 200] {
                var hasher = SHA256()
                var start = 0
                while start < length {
                    let end = min(start + piece, length)
                    message[start..<end].withUnsafeBytes { hasher.update($0) }
                    start = end
                }
                #expect(hasher.finalize() == expected, "length \(length), pieces of \(piece)")
            }
        }
    }

    /// A file larger than several read chunks, with an odd size, hashed as `sha256sum` does.
    @Test func fileHashEqualsSha256sum() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ddp-train-sha-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("data.bin").path
        var state: UInt32 = 12345
        let bytes = (0..<(3 << 20) + 17).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "sha256sum (coreutils) is needed for this test")
        let expected = String(output.prefix(64))

        #expect(try SHA256.hash(fileAt: path).hex == expected)
        #expect(try SHA256.hash(fileAt: path, chunkSize: 1000).hex == expected)
        #expect(SHA256.hash(bytes).hex == expected)
    }

    @Test func unreadableFileNamesThePath() {
        let error = #expect(throws: SHA256FileError.self) { try SHA256.hash(fileAt: "/nonexistent/manifest.json") }
        #expect(
            error?.description.hasPrefix("/nonexistent/manifest.json: open failed: No such file or directory") == true)
    }
}
