/// The text normalizer of BERT tokenizers (Hugging Face tokenizers' `BertNormalizer`).
///
/// Applies, in this order, each step that is switched on:
/// 1. `cleanText`: drop U+0000, U+FFFD and every control, format or private-use character
///    except tab, line feed and carriage return; turn every white-space character into ' '.
/// 2. `handleChineseChars`: put a space before and after every CJK ideograph, so each becomes
///    a word of its own.
/// 3. strip accents (when `stripAccents ?? lowercase`): canonical decomposition (NFD), then
///    drop every nonspacing mark (Mn).
/// 4. `lowercase`: replace each scalar by its full lower-case mapping, without context rules
///    (Σ → σ even at the end of a word; İ → i + U+0307 unless accents were stripped first).
///
/// Character classes are the reference's, which lag current Unicode; see `ReferenceUnicode`.
public struct BertNormalizer: Sendable, Equatable {
    /// Drop control characters and map white space to ' ' (step 1).
    public var cleanText: Bool
    /// Surround CJK ideographs with spaces (step 2).
    public var handleChineseChars: Bool
    /// Strip accents (step 3); `nil` means: do it exactly when `lowercase` is on.
    public var stripAccents: Bool?
    /// Lower-case every scalar (step 4).
    public var lowercase: Bool

    /// The defaults are those of `BertNormalizer` and of uncased BERT checkpoints.
    public init(
        cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true
    ) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// Whether step 3 runs: `stripAccents`, or `lowercase` when that is nil.
    public var stripsAccents: Bool { stripAccents ?? lowercase }

    /// The normalized text.
    public func normalize(_ text: String) -> String {
        var out: [UInt8] = []
        UTF8Bytes.withBytes(of: text) { normalize(utf8: $0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the UTF-8 of the normalized `input` (valid UTF-8) to `output`.
    ///
    /// All-ASCII input (nearly every English sentence) takes a byte loop: no ASCII character
    /// is a CJK ideograph, decomposes or is a mark, so only steps 1 and 4 can change it.
    func normalize(utf8 input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var isASCII = true
        for byte in input where byte >= 0x80 {
            isASCII = false
            break
        }
        if isASCII {
            normalizeASCII(input, into: &output)
        } else {
            normalizeScalars(input, into: &output)
        }
    }

    private func normalizeASCII(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + input.count)
        let clean = cleanText
        let lower = lowercase
        for var byte in input {
            if clean {
                // Tab, LF, CR are white space; every other C0 control and DEL is dropped
                // (VT and FF too: they are control characters before they are white space).
                if byte == 0x09 || byte == 0x0A || byte == 0x0D {
                    byte = 0x20
                } else if byte < 0x20 || byte == 0x7F {
                    continue
                }
            }
            if lower && byte >= 0x41 && byte <= 0x5A { byte += 0x20 }
            output.append(byte)
        }
    }

    private func normalizeScalars(_ input: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        // Steps 1 and 2, while decoding.
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let (scalar, length) = UTF8Bytes.decode(input, at: index)
            index += length
            var s = scalar
            let classes = ReferenceUnicode.classes(s)
            if cleanText {
                if classes.contains(.droppedByClean) { continue }
                if classes.contains(.whitespace) { s = " " }  // tab, LF and CR included
            }
            if handleChineseChars && classes.contains(.chineseIdeograph) {
                scalars.append(" ")
                scalars.append(s)
                scalars.append(" ")
            } else {
                scalars.append(s)
            }
        }
        // Step 3.
        if stripsAccents {
            scalars = ReferenceUnicode.canonicalDecomposition(scalars)
            scalars.removeAll(where: ReferenceUnicode.isNonspacingMark)
        }
        // Step 4, while encoding.
        output.reserveCapacity(output.count + scalars.count * 2)
        if lowercase {
            var mapped: [Unicode.Scalar] = []
            mapped.reserveCapacity(4)
            for scalar in scalars {
                mapped.removeAll(keepingCapacity: true)
                ReferenceUnicode.appendLowercase(of: scalar, to: &mapped)
                for m in mapped { UTF8Bytes.append(m, to: &output) }
            }
        } else {
            for scalar in scalars { UTF8Bytes.append(scalar, to: &output) }
        }
    }
}
