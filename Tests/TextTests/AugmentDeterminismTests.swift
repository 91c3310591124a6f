import Dispatch
import Testing
import Text

/// The augmented form of example i in epoch e depends on (seed, e, i, text, options, side)
/// and on nothing else: not on the augmenter instance, the order, the rank share or the thread.
@Suite("Augmentation determinism")
struct AugmentDeterminismTests {
    static let options = AugmentationOptions(
        deletionProbability: 0.1, swapRate: 0.1, insertionRate: 0.1, wordDropoutProbability: 0.1,
        wordDropoutToken: "[MASK]")
    static let corpus = AugmentTestSupport.corpus(1_000)

    /// What a run sees: every example of the corpus augmented in file order.
    static func inOrder(seed: UInt64, epoch: Int) -> [String] {
        let augmenter = AugmentTestSupport.augmenter(options)
        return corpus.indices.map { augmenter.augment(corpus[$0], seed: seed, epoch: epoch, example: $0) }
    }

    @Test("the same inputs give the same output, from any augmenter instance")
    func sameInputsSameOutput() {
        let a = AugmentTestSupport.augmenter(Self.options)
        let b = AugmentTestSupport.augmenter(Self.options)
        for (i, text) in Self.corpus.enumerated() {
            let first = a.augment(text, seed: 17, epoch: 3, example: i)
            #expect(a.augment(text, seed: 17, epoch: 3, example: i) == first)
            #expect(b.augment(text, seed: 17, epoch: 3, example: i) == first)
        }
        // The corpus really is augmented: most texts change.
        let changed = zip(Self.inOrder(seed: 17, epoch: 3), Self.corpus).filter { $0 != $1 }.count
        #expect(changed > Self.corpus.count / 2)
    }

    @Test("a different epoch, example index or seed gives a different augmentation")
    func differentKeysDifferentOutputs() {
        let augmenter = AugmentTestSupport.augmenter(Self.options)
        let text = AugmentTestSupport.distinctWords(20)
        let byEpoch = Set((0..<100).map { augmenter.augment(text, seed: 1, epoch: $0, example: 7) })
        let byExample = Set((0..<100).map { augmenter.augment(text, seed: 1, epoch: 0, example: $0) })
        let bySeed = Set((0..<100).map { augmenter.augment(text, seed: UInt64($0), epoch: 0, example: 7) })
        // 20 words at these rates have far more outcomes than 100 draws; a few coincidences
        // (e.g. two draws where nothing fired) are allowed.
        #expect(byEpoch.count >= 95)
        #expect(byExample.count >= 95)
        #expect(bySeed.count >= 95)
        // Whole epochs differ too.
        let epoch0 = Self.inOrder(seed: 1, epoch: 0)
        let epoch1 = Self.inOrder(seed: 1, epoch: 1)
        #expect(zip(epoch0, epoch1).filter { $0 != $1 }.count > Self.corpus.count / 2)
    }

    @Test("shuffled order gives the same augmentation per example")
    func shuffledOrder() {
        let expected = Self.inOrder(seed: 99, epoch: 2)
        let augmenter = AugmentTestSupport.augmenter(Self.options)
        var shuffler = AugmentationRandom(key: 2024)
        for _ in 0..<3 {
            var results = [String?](repeating: nil, count: Self.corpus.count)
            for i in Self.corpus.indices.shuffled(using: &shuffler) {
                results[i] = augmenter.augment(Self.corpus[i], seed: 99, epoch: 2, example: i)
            }
            #expect(results == expected.map { Optional($0) })
        }
    }

    @Test("rank shares on concurrent threads give the same augmentation per example", arguments: [1, 2, 3, 4, 7])
    func rankShares(ranks: Int) {
        let expected = Self.inOrder(seed: 99, epoch: 2)
        let count = Self.corpus.count
        // Interleaved shares (rank r takes r, r + ranks, …), each on its own thread with its own
        // augmenter, as separate processes would be; the shares are disjoint, so every slot of
        // `results` is written by exactly one thread.
        let results = UnsafeMutableBufferPointer<String>.allocate(capacity: count)
        results.initialize(repeating: "")
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: ranks) { rank in
            let augmenter = AugmentTestSupport.augmenter(Self.options)
            for i in stride(from: rank, to: count, by: ranks) {
                slots[i] = augmenter.augment(Self.corpus[i], seed: 99, epoch: 2, example: i)
            }
        }
        #expect(Array(results) == expected)
        // Contiguous blocks, processed back to front, agree as well.
        let augmenter = AugmentTestSupport.augmenter(Self.options)
        let block = (count + ranks - 1) / ranks
        for rank in (0..<ranks).reversed() {
            for i in (rank * block..<min(count, (rank + 1) * block)).reversed() {
                #expect(augmenter.augment(Self.corpus[i], seed: 99, epoch: 2, example: i) == expected[i])
            }
        }
    }

    @Test("the two sides of a pair draw from distinct streams")
    func pairSidesAreDistinct() {
        let augmenter = AugmentTestSupport.augmenter(Self.options)
        let text = AugmentTestSupport.distinctWords(20)
        let differing = (0..<100).filter { example in
            augmenter.augment(text, seed: 4, epoch: 0, example: example, side: 0)
                != augmenter.augment(text, seed: 4, epoch: 0, example: example, side: 1)
        }.count
        #expect(differing >= 95)
        // The LabelledText form uses side 0 for the text and side 1 for the pair.
        let labelled = LabelledText(text: text, pair: text, label: "entailment", line: 12)
        for example in 0..<20 {
            let augmented = augmenter.augment(labelled, seed: 4, epoch: 1, example: example)
            #expect(augmented.text == augmenter.augment(text, seed: 4, epoch: 1, example: example, side: 0))
            #expect(augmented.pair == augmenter.augment(text, seed: 4, epoch: 1, example: example, side: 1))
            #expect(augmented.label == "entailment" && augmented.line == 12)
        }
        let single = augmenter.augment(LabelledText(text: text, label: nil, line: 2), seed: 4, epoch: 1, example: 0)
        #expect(single.pair == nil)
    }
}
