/// The BPE model (Sennrich et al. 2016; Hugging Face tokenizers' `models::bpe::BPE`): a word
/// starts as one symbol per character and adjacent pairs are merged, lowest rank first, until
/// no pair of the word is in the merge table.
///
/// Here a word is the bytes of one pre-token and a character is a byte: in a byte-level
/// vocabulary every byte has a one-character token (`ByteLevelAlphabet`), so the first
/// symbols are looked up per byte in a 256-entry table, never through strings.
///
/// Merge order: of all adjacent pairs in the merge table, the one of lowest rank is merged, and
/// of equal ranks the leftmost — what tokenizers' priority queue of (rank, position) does, and
/// what GPT-2's `bpe()` (merge every occurrence of the best pair left to right) comes to.
///
/// Immutable and `Sendable`; the word cache is the only shared mutable state (`BPEWordCache`).
public struct BPEModel: Sendable {
    /// token → id, as read.
    public let vocabulary: [String: Int32]
    /// Number of merges (the rank table's size).
    public let mergeCount: Int
    /// Token of unknown characters, if the model has one (byte-level vocabularies never need it).
    public let unknownToken: String?
    /// Consecutive unknown characters give one unknown token (tokenizers' `fuse_unk`).
    public let fuseUnknown: Bool
    /// Prefix of every symbol but a word's first (`continuing_subword_prefix`), or "".
    public let continuingSubwordPrefix: String
    /// Suffix of a word's last symbol (`end_of_word_suffix`), or "".
    public let endOfWordSuffix: String
    /// A word that is a vocabulary token as a whole is taken as is (`ignore_merges`).
    public let ignoreMerges: Bool

    /// (left id << 32 | right id) → (rank << 32 | merged id).
    private let merges: [UInt64: UInt64]
    /// `[4][256]`: the id of each byte's one-character token, -1 when the vocabulary lacks it;
    /// table `2·last + continuing`: plain, with the prefix, with the suffix, with both.
    private let byteIds: [[Int32]]
    private let unknownId: Int32?
    private let cache = BPEWordCache(capacity: 10_000)

    /// A model over `vocabulary` with the merges `merges` in rank order.
    ///
    /// - Throws: `mergeError(rank, expected, found)` for a merge whose parts or merged token
    ///   are not in the vocabulary (the loader names the key or line of merge `rank`);
    ///   `.missingToken` when `unknownToken` is not in it.
    public init(
        vocabulary: [String: Int32], merges: [(String, String)], unknownToken: String? = nil,
        fuseUnknown: Bool = false, continuingSubwordPrefix: String = "", endOfWordSuffix: String = "",
        ignoreMerges: Bool = false, sourcePath: String,
        mergeError: (_ rank: Int, _ expected: String, _ found: String) -> TokenizerError
    ) throws(TokenizerError) {
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(merges.count)
        let prefixLength = continuingSubwordPrefix.unicodeScalars.count
        for (rank, (left, right)) in merges.enumerated() {
            guard let leftId = vocabulary[left] else {
                throw mergeError(
                    rank, "tokens of the vocabulary", "\"\(left) \(right)\", whose \"\(left)\" is not in it")
            }
            guard let rightId = vocabulary[right] else {
                throw mergeError(
                    rank, "tokens of the vocabulary", "\"\(left) \(right)\", whose \"\(right)\" is not in it")
            }
            // The merged token drops the right part's continuation prefix (tokenizers does the same).
            var rightScalars = Substring(right).unicodeScalars
            if prefixLength > 0 && right.hasPrefix(continuingSubwordPrefix) {
                rightScalars = rightScalars.dropFirst(prefixLength)
            }
            let merged = left + String(String.UnicodeScalarView(rightScalars))
            guard let mergedId = vocabulary[merged] else {
                throw mergeError(
                    rank, "a merge whose result is in the vocabulary",
                    "\"\(left) \(right)\", whose result \"\(merged)\" is not in it")
            }
            // A repeated pair keeps its last rank, as tokenizers' map does.
            table[UInt64(UInt32(leftId)) << 32 | UInt64(UInt32(rightId))] =
                UInt64(rank) << 32 | UInt64(UInt32(mergedId))
        }
        var unknownId: Int32?
        if let unknownToken {
            guard let id = vocabulary[unknownToken] else {
                throw .missingToken(path: sourcePath, key: "model.unk_token", token: unknownToken)
            }
            unknownId = id
        }
        var byteIds = [[Int32]](repeating: [Int32](repeating: -1, count: 256), count: 4)
        for variant in 0..<4 {
            for byte in 0..<256 {
                var token = variant & 1 == 1 ? continuingSubwordPrefix : ""
                token.unicodeScalars.append(ByteLevelAlphabet.scalarOfByte[byte])
                if variant & 2 == 2 { token += endOfWordSuffix }
                byteIds[variant][byte] = vocabulary[token] ?? -1
            }
        }
        self.vocabulary = vocabulary
        self.mergeCount = merges.count
        self.unknownToken = unknownToken
        self.fuseUnknown = fuseUnknown
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.endOfWordSuffix = endOfWordSuffix
        self.ignoreMerges = ignoreMerges
        self.merges = table
        self.byteIds = byteIds
        self.unknownId = unknownId
    }

    /// Appends the ids of `word` (the raw bytes of one pre-token, before the byte map).
    public func appendIds(word: UnsafeBufferPointer<UInt8>, to ids: inout [Int32]) {
        guard !word.isEmpty else { return }
        if ignoreMerges, let id = vocabulary[ByteLevelAlphabet.encode(word)] {
            ids.append(id)
            return
        }
        if cache.append(word, to: &ids) { return }
        let symbols = merge(word)
        cache.insert(word, symbols)
        ids += symbols
    }

    /// The symbols of `word` after every merge.
    func merge(_ word: UnsafeBufferPointer<UInt8>) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        var pendingUnknown = false
        for (index, byte) in word.enumerated() {
            let variant =
                (index > 0 && !continuingSubwordPrefix.isEmpty ? 1 : 0)
                + (index == word.count - 1 && !endOfWordSuffix.isEmpty ? 2 : 0)
            let id = byteIds[variant][Int(byte)]
            if id >= 0 {
                symbols.append(id)
                pendingUnknown = false
            } else if let unknownId {
                // Without an unknown token tokenizers drops the character; with one, a run of
                // unknown characters is one token when fused.
                if !(fuseUnknown && pendingUnknown) { symbols.append(unknownId) }
                pendingUnknown = true
            }
        }
        if symbols.count > Self.queueThreshold { return mergeWithQueue(symbols) }
        while symbols.count > 1 {
            var bestRank = UInt32.max
            var bestIndex = -1
            var bestId: Int32 = 0
            for i in 0..<(symbols.count - 1) {
                if let entry = entry(symbols[i], symbols[i + 1]), entry.rank < bestRank {
                    bestRank = entry.rank
                    bestIndex = i
                    bestId = entry.merged
                }
            }
            if bestIndex < 0 { break }
            symbols[bestIndex] = bestId
            symbols.remove(at: bestIndex + 1)
        }
        return symbols
    }

    /// The rank of merging `left` and `right` and the id of the result, or nil.
    @inline(__always)
    func entry(_ left: Int32, _ right: Int32) -> (rank: UInt32, merged: Int32)? {
        guard let entry = merges[UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))] else { return nil }
        return (UInt32(entry >> 32), Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF))
    }

    /// The rank of merging `left` and `right`, or nil.
    @inline(__always)
    func rank(_ left: Int32, _ right: Int32) -> UInt32? { entry(left, right)?.rank }
}
