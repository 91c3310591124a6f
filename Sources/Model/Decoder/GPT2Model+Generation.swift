/// Incremental forward passes with a key/value cache (`CausalLanguageModel`): the rows of
/// one call are new tokens of some sequences, each at its next position; their keys and
/// values are appended to the cache and each row attends to its sequence's cached positions
/// up to its own. No dropout (generation is evaluation).
extension GPT2Model: CausalLanguageModel {
    public var vocabularySize: Int { config.vocabSize }
    public var maxPositions: Int { config.nPositions }
    public var endOfSequenceId: Int32? { config.eosTokenId.map { Int32($0) } }

    /// The working buffers of one call, carved from the cache's workspace: up to R rows
    /// (R = max(maxLength, maxSequences)) and S last rows.
    struct GenerationBuffers {
        var x, h, qkv, context, branch, pre, act, u: MatrixView
        var mean, rstd, scores: UnsafeMutablePointer<Float>
        var last, lastNorm: MatrixView
        var lastMean, lastRstd, logits: UnsafeMutablePointer<Float>

        static func count(_ config: GPT2Config, rows r: Int, sequences s: Int, maxLength: Int, rank: Int) -> Int {
            let c = config.nEmbd, f = config.innerSize
            return r * (7 * c + 2 * f + rank + 2) + maxLength + s * (2 * c + 2 + config.vocabSize)
        }

        init(
            _ base: UnsafeMutablePointer<Float>, _ config: GPT2Config, rows r: Int, sequences s: Int, maxLength: Int,
            rank: Int
        ) {
            let c = config.nEmbd, f = config.innerSize
            var cursor = base
            func take(_ count: Int) -> UnsafeMutablePointer<Float> {
                defer { cursor += count }
                return cursor
            }
            func matrix(_ rows: Int, _ cols: Int) -> MatrixView {
                MatrixView(take(rows * cols), rows: rows, cols: cols)
            }
            (x, h, qkv, context, branch) = (matrix(r, c), matrix(r, c), matrix(r, 3 * c), matrix(r, c), matrix(r, c))
            (pre, act, u) = (matrix(r, f), matrix(r, f), matrix(r, rank))
            (mean, rstd, scores) = (take(r), take(r), take(maxLength))
            (last, lastNorm, lastMean, lastRstd) = (matrix(s, c), matrix(s, c), take(s), take(s))
            logits = take(s * config.vocabSize)
        }
    }

    public func makeCache(maxSequences: Int, maxLength: Int) throws(GenerationError) -> KeyValueCache {
        guard maxSequences > 0, maxLength > 0, maxLength <= config.nPositions else {
            throw GenerationError(
                "a cache of \(maxSequences) sequences of \(maxLength) tokens: need at least one of each and at most "
                    + "n_positions (\(config.nPositions)) tokens")
        }
        let rows = max(maxLength, maxSequences)
        return KeyValueCache(
            layers: config.nLayer, maxSequences: maxSequences, maxLength: maxLength, width: config.nEmbd,
            workspace: GenerationBuffers.count(
                config, rows: rows, sequences: maxSequences, maxLength: maxLength, rank: layout.lora?.rank ?? 0))
    }

    public func prefill(_ prompts: [[Int32]], cache: KeyValueCache) throws(GenerationError) -> MatrixView {
        guard prompts.count <= cache.maxSequences else {
            throw GenerationError("\(prompts.count) prompts for a cache of \(cache.maxSequences) sequences")
        }
        cache.lengths = Array(repeating: 0, count: prompts.count)
        // One prompt per call keeps the workspace at maxLength rows.
        for (s, prompt) in prompts.enumerated() {
            guard !prompt.isEmpty else { throw GenerationError("prompt \(s) is empty") }
            try incremental(prompt, sequences: Array(repeating: s, count: prompt.count), cache: cache, firstOutput: s)
        }
        return logitsView(cache, rows: prompts.count)
    }

    public func step(_ tokens: [Int32], sequences: [Int], cache: KeyValueCache) throws(GenerationError) -> MatrixView {
        guard tokens.count == sequences.count, Set(sequences).count == sequences.count,
            sequences.allSatisfy({ cache.lengths.indices.contains($0) })
        else {
            throw GenerationError("step: \(tokens.count) tokens for sequences \(sequences) (distinct started ones)")
        }
        try incremental(tokens, sequences: sequences, cache: cache, firstOutput: 0)
        return logitsView(cache, rows: tokens.count)
    }

    private func logitsView(_ cache: KeyValueCache, rows: Int) -> MatrixView {
        let buffers = GenerationBuffers(
            cache.workspace.base, config, rows: max(cache.maxLength, cache.maxSequences),
            sequences: cache.maxSequences, maxLength: cache.maxLength, rank: layout.lora?.rank ?? 0)
        return MatrixView(buffers.logits, rows: rows, cols: config.vocabSize)
    }

    /// Runs `tokens` (row i appended to sequence `sequences[i]`) through the decoder and
    /// writes, for each sequence's last row here, the next-token logits into row
    /// `firstOutput + k` of the logits (k counting those sequences in order).
    private func incremental(
        _ tokens: [Int32], sequences: [Int], cache: KeyValueCache, firstOutput: Int
    ) throws(GenerationError) {
        guard layout.head == .languageModel else {
            throw GenerationError("a \(layout.head.architecture(in: GPT2Family())) has no language-model head")
        }
        var positions: [Int] = []
        for (t, s) in zip(tokens, sequences) {
            guard t >= 0, Int(t) < config.vocabSize else {
                throw GenerationError("token id \(t) is outside the vocabulary (0..<\(config.vocabSize))")
            }
            guard cache.lengths[s] < cache.maxLength else {
                throw GenerationError("sequence \(s) is full: \(cache.maxLength) tokens (the cache's maxLength)")
            }
            positions.append(cache.lengths[s])
            cache.lengths[s] += 1
        }
        let n = tokens.count, c = config.nEmbd, w = weights
        let rank = layout.lora?.rank ?? 0
        let buffers = GenerationBuffers(
            cache.workspace.base, config, rows: max(cache.maxLength, cache.maxSequences),
            sequences: cache.maxSequences, maxLength: cache.maxLength, rank: rank)
        let x = buffers.x.rows(0, count: n), h = buffers.h.rows(0, count: n)
        for r in 0..<n {
            let word = w.tokenEmbeddings + Int(tokens[r]) * c, position = w.positionEmbeddings + positions[r] * c
            for j in 0..<c { x[r, j] = word[j] + position[j] }
        }
        for l in 0..<config.nLayer {
            let block = w.blocks[l]
            LayerNorm.forward(
                input: x, weight: block.norm1Weight, bias: block.norm1Bias, epsilon: config.layerNormEpsilon, output: h,
                mean: buffers.mean, rstd: buffers.rstd, pool: pool)
            let qkv = buffers.qkv.rows(0, count: n), context = buffers.context.rows(0, count: n)
            let branch = buffers.branch.rows(0, count: n)
            projection(block.attentionWeight, block.attentionBias, .fusedAttention, l, input: h, output: qkv, buffers)
            for r in 0..<n {
                cache.row(cache.keys, layer: l, sequence: sequences[r], position: positions[r])
                    .update(from: qkv.row(r) + c, count: c)
                cache.row(cache.values, layer: l, sequence: sequences[r], position: positions[r])
                    .update(from: qkv.row(r) + 2 * c, count: c)
            }
            for r in 0..<n {
                cachedAttention(
                    query: qkv.row(r), into: context.row(r), layer: l, sequence: sequences[r], upTo: positions[r],
                    cache: cache, scores: buffers.scores)
            }
            projection(
                block.attentionProjectionWeight, block.attentionProjectionBias, .attentionProjection, l,
                input: context, output: branch, buffers)
            Residual.add(x, branch, into: x, pool: pool)
            LayerNorm.forward(
                input: x, weight: block.norm2Weight, bias: block.norm2Bias, epsilon: config.layerNormEpsilon, output: h,
                mean: buffers.mean, rstd: buffers.rstd, pool: pool)
            let pre = buffers.pre.rows(0, count: n), act = buffers.act.rows(0, count: n)
            projection(block.mlpInputWeight, nil, .mlpInput, l, input: h, output: pre, buffers)
            BiasGELU.forward(preActivation: pre, bias: block.mlpInputBias, output: act, form: activation, pool: pool)
            projection(
                block.mlpProjectionWeight, block.mlpProjectionBias, .mlpProjection, l, input: act, output: branch,
                buffers)
            Residual.add(x, branch, into: x, pool: pool)
        }
        // Each sequence's last row of this call: ln_f, then the (tied) head.
        let lastRows = (0..<n).filter { r in !sequences[(r + 1)...].contains(sequences[r]) }
        let last = buffers.last.rows(0, count: lastRows.count),
            lastNorm = buffers.lastNorm.rows(0, count: lastRows.count)
        for (k, r) in lastRows.enumerated() { last.row(k).update(from: x.row(r), count: c) }
        LayerNorm.forward(
            input: last, weight: w.finalNormWeight, bias: w.finalNormBias, epsilon: config.layerNormEpsilon,
            output: lastNorm, mean: buffers.lastMean, rstd: buffers.lastRstd, pool: pool)
        Linear.forward(
            input: lastNorm, weight: w.languageModelWeight!, bias: nil,
            output: MatrixView(
                buffers.logits + firstOutput * config.vocabSize, rows: lastRows.count, cols: config.vocabSize),
            pool: pool)
    }

    /// `output = input·Wᵀ + b`, plus the block's adapter on `target` when it has one.
    private func projection(
        _ weight: UnsafeMutablePointer<Float>, _ bias: UnsafeMutablePointer<Float>?, _ target: LoRATarget, _ l: Int,
        input: MatrixView, output: MatrixView, _ buffers: GenerationBuffers
    ) {
        Linear.forward(input: input, weight: weight, bias: bias, output: output, pool: pool)
        if let lora = layout.lora, let pair = weights.blocks[l].adapters[target] {
            LowRankAdapter.forward(
                input: input, a: pair.a, b: pair.b, scale: lora.scale, u: buffers.u.rows(0, count: input.rows),
                output: output)
        }
    }

    /// One row's causal attention over its sequence's cached positions `0 ... p`, head by
    /// head: `context_h = softmax(K_h·q_h·scale)ᵀ·V_h`.
    private func cachedAttention(
        query: UnsafeMutablePointer<Float>, into context: UnsafeMutablePointer<Float>, layer l: Int, sequence s: Int,
        upTo p: Int, cache: KeyValueCache, scores: UnsafeMutablePointer<Float>
    ) {
        let c = config.nEmbd, hs = config.headSize
        let scale = config.scaleAttnWeights ? 1 / Float(hs).squareRoot() : 1
        let keys = cache.row(cache.keys, layer: l, sequence: s, position: 0)
        let values = cache.row(cache.values, layer: l, sequence: s, position: 0)
        let row = MatrixView(scores, rows: 1, cols: p + 1)
        for head in 0..<config.nHead {
            let q = MatrixView(query + head * hs, rows: 1, cols: hs)
            BLAS.gemm(
                q, MatrixView(keys + head * hs, rows: p + 1, cols: hs, rowStride: c), transposeB: true, into: row,
                alpha: scale)
            FastMath.softmaxInPlace(scores, count: p + 1)
            BLAS.gemm(
                row, MatrixView(values + head * hs, rows: p + 1, cols: hs, rowStride: c),
                into: MatrixView(context + head * hs, rows: 1, cols: hs))
        }
    }
}
