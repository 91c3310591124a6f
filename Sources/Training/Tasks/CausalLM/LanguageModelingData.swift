import Text

/// A `DocumentCorpus` as training examples for next-token prediction: token ids, and as
/// targets each position's next token (−100 where nothing is predicted), so the loss is the
/// mean over predicted tokens of the global batch whatever the rank count (invariant 3).
enum LanguageModelingData {
    /// Documents: each tokenised without special tokens and followed by `eos`, all
    /// concatenated in file order and cut into blocks of `blockSize` tokens; a final
    /// remainder shorter than a block is dropped. Every position of a block but the last
    /// predicts the next token — EOS included, so the model learns where a document ends.
    /// A block's line is that of the document its first token belongs to.
    static func blocks(
        _ documents: [DocumentCorpus.Document], file: String, tokenize: (String) -> [Int32], eos: Int32,
        blockSize: Int
    ) throws -> EncodedDataset {
        var stream: [Int32] = []
        var starts: [(token: Int, line: Int)] = []
        for document in documents {
            starts.append((stream.count, document.line))
            stream.append(contentsOf: tokenize(document.text))
            stream.append(eos)
        }
        let blockCount = stream.count / blockSize
        guard blockCount > 0 else {
            throw DataError(
                file: file,
                "holds \(stream.count) tokens, fewer than one block of \(blockSize) (lower --block-size, or add text)")
        }
        var dataset = EncodedDataset(file: file, targets: .tokens([]))
        var labels: [Int32] = []
        labels.reserveCapacity(blockCount * blockSize)
        let zeros = [Int32](repeating: 0, count: blockSize)
        var document = 0
        for block in 0..<blockCount {
            let range = (block * blockSize)..<((block + 1) * blockSize)
            while document + 1 < starts.count && starts[document + 1].token <= range.lowerBound { document += 1 }
            let ids = Array(stream[range])
            dataset.append(Encoding(ids: ids, typeIds: zeros), line: starts[document].line)
            labels.append(contentsOf: ids.dropFirst())
            labels.append(-100)
        }
        return dataset.withTargets(.tokens(labels))
    }

    /// Prompt and completion pairs: one example per row, prompt + completion + `eos`
    /// truncated to `blockSize` tokens; only completion and EOS tokens are predicted (the
    /// positions before them carry their ids as targets, the prompt's own positions −100).
    /// A row whose prompt fills the block predicts nothing and is an error.
    static func pairs(
        _ pairs: [DocumentCorpus.PromptCompletion], file: String, tokenize: (String) -> [Int32], eos: Int32,
        blockSize: Int
    ) throws -> EncodedDataset {
        var dataset = EncodedDataset(file: file, targets: .tokens([]))
        var labels: [Int32] = []
        for pair in pairs {
            let prompt = tokenize(pair.prompt)
            let ids = Array((prompt + tokenize(pair.completion) + [eos]).prefix(blockSize))
            guard prompt.count < ids.count else {
                throw DataError(
                    file: file, line: pair.line,
                    "the prompt's \(prompt.count) tokens leave no room for the completion in a block of \(blockSize)")
            }
            dataset.append(Encoding(ids: ids, typeIds: [Int32](repeating: 0, count: ids.count)), line: pair.line)
            // Position t predicts token t + 1; scored when t + 1 is past the prompt.
            for t in 0..<ids.count {
                labels.append(t + 1 < ids.count && t + 1 >= prompt.count ? ids[t + 1] : -100)
            }
        }
        return dataset.withTargets(.tokens(labels))
    }
}
