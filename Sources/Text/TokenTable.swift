/// An immutable hash table from byte strings (UTF-8 tokens) to ids, so that WordPiece can look
/// up any slice of a word without building a `String`.
///
/// Open addressing with linear probing over a power-of-two slot array at most half full;
/// FNV-1a hashes. Keys live back to back in one byte buffer.
///
/// `@unchecked Sendable`: an immutable handle; the buffers are written once in `init` and only
/// read afterwards, from any thread.
final class TokenTable: @unchecked Sendable {
    private let keyBytes: UnsafeMutableBufferPointer<UInt8>
    private let keyStart: UnsafeMutableBufferPointer<Int32>
    private let keyLength: UnsafeMutableBufferPointer<Int32>
    private let values: UnsafeMutableBufferPointer<Int32>
    /// Entry index + 1 for each slot; 0 marks an empty slot.
    private let slots: UnsafeMutableBufferPointer<Int32>
    private let mask: Int
    /// Number of keys.
    let count: Int

    /// A table of `entries`; a key given twice keeps its first value.
    init(_ entries: [(key: [UInt8], value: Int32)]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity *= 2 }
        let slots = UnsafeMutableBufferPointer<Int32>.allocate(capacity: capacity)
        slots.initialize(repeating: 0)
        let totalBytes = entries.reduce(0) { $0 + $1.key.count }
        let keyBytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(totalBytes, 1))
        let keyStart = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(entries.count, 1))
        let keyLength = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(entries.count, 1))
        let values = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(entries.count, 1))
        var stored = 0
        var offset = 0
        for (key, value) in entries {
            let (found, slot) = key.withUnsafeBufferPointer {
                Self.probe(
                    $0, keyBytes: keyBytes, keyStart: keyStart, keyLength: keyLength, slots: slots, mask: capacity - 1)
            }
            if found != nil { continue }
            for (i, byte) in key.enumerated() { keyBytes[offset + i] = byte }
            keyStart[stored] = Int32(offset)
            keyLength[stored] = Int32(key.count)
            values[stored] = value
            slots[slot] = Int32(stored + 1)
            offset += key.count
            stored += 1
        }
        self.slots = slots
        self.keyBytes = keyBytes
        self.keyStart = keyStart
        self.keyLength = keyLength
        self.values = values
        self.mask = capacity - 1
        self.count = stored
    }

    deinit {
        keyBytes.deallocate()
        keyStart.deallocate()
        keyLength.deallocate()
        values.deallocate()
        slots.deallocate()
    }

    /// The value stored for `key`, or nil.
    @inline(__always)
    func value(for key: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard
            let entry = Self.probe(
                key, keyBytes: keyBytes, keyStart: keyStart, keyLength: keyLength, slots: slots, mask: mask
            ).entry
        else { return nil }
        return values[entry]
    }

    /// The entry holding `key` if there is one, and the slot where the probe ended.
    @inline(__always)
    private static func probe(
        _ key: UnsafeBufferPointer<UInt8>, keyBytes: UnsafeMutableBufferPointer<UInt8>,
        keyStart: UnsafeMutableBufferPointer<Int32>, keyLength: UnsafeMutableBufferPointer<Int32>,
        slots: UnsafeMutableBufferPointer<Int32>, mask: Int
    ) -> (entry: Int?, slot: Int) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { return (nil, slot) }
            let e = stored - 1
            let length = Int(keyLength[e])
            if length == key.count {
                let start = Int(keyStart[e])
                var i = 0
                while i < length && keyBytes[start + i] == key[i] { i += 1 }
                if i == length { return (e, slot) }
            }
            slot = (slot + 1) & mask
        }
    }
}
