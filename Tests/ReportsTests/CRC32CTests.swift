import Testing

@testable import Reports

@Suite struct CRC32CTests {
    // Check value of CRC-32C and the vectors of RFC 3720 (iSCSI), appendix B.4:
    //   python3: crc32c(b"123456789"), crc32c(bytes(32)), crc32c(bytes(range(32)))
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    // TensorFlow's masked_crc32c: ((crc >> 15 | crc << 17) + 0xa282ead8) & 0xffffffff
    //   python3: mask(crc32c(b"123456789")) == 0xc78ab0e5; mask(crc32c(struct.pack("<Q", 0))) == 0x07980329
    @Test func masking() {
        #expect(CRC32C.mask(0xE306_9283) == 0xC78A_B0E5)
        #expect(CRC32C.masked([UInt8](repeating: 0, count: 8)) == 0x0798_0329)
        #expect(CRC32C.mask(0) == 0xA282_EAD8)
        for crc: UInt32 in [0, 1, 0xE306_9283, 0xFFFF_FFFF, 0x8000_0000] {
            #expect(CRC32C.unmask(CRC32C.mask(crc)) == crc)
        }
    }
}

@Suite struct ProtobufWriterTests {
    // protobuf.dev/programming-guides/encoding: 1 → 01, 150 → 96 01, 300 → ac 02
    @Test func varints() {
        #expect(ProtobufWriter.varint(0) == [0])
        #expect(ProtobufWriter.varint(1) == [1])
        #expect(ProtobufWriter.varint(150) == [0x96, 0x01])
        #expect(ProtobufWriter.varint(300) == [0xAC, 0x02])
        #expect(ProtobufWriter.varint(UInt64.max).count == 10)
    }

    // python3: event_pb2.Event(step=150, file_version="a").SerializeToString() == b"\x10\x96\x01\x1a\x01a"
    @Test func fields() {
        var writer = ProtobufWriter()
        writer.int64(2, 150)
        writer.string(3, "a")
        #expect(writer.bytes == [0x10, 0x96, 0x01, 0x1A, 0x01, 0x61])
        var fixed = ProtobufWriter()
        fixed.float(2, 1)
        fixed.double(1, 1)
        #expect(fixed.bytes == [0x15, 0, 0, 0x80, 0x3F, 0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        var negative = ProtobufWriter()
        negative.int64(2, -1)
        #expect(negative.bytes.count == 11)
    }
}
