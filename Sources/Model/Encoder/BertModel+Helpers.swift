/// LoRA adapter passes and the small helpers of the forward and backward passes.
extension BertModel {
    /// `output += s·(input·Aᵀ)·Bᵀ` when layer `l` has an adapter on `target`.
    func adapterForward(_ target: LoRATarget, _ l: Int, input: MatrixView, output: MatrixView, n: Int) {
        guard let lora = layout.lora, let pair = weights.layers[l].adapters[target],
            let u = activations!.layers[l].adapterInputs[LoRAIndex.of(target)]
        else { return }
        LowRankAdapter.forward(
            input: input, a: pair.a, b: pair.b, scale: lora.scale, u: u.rows(0, count: n), output: output)
    }

    /// Gradients of `adapterForward`; `inputGrad` accumulates.
    func adapterBackward(
        _ target: LoRATarget, _ l: Int, outputGrad: MatrixView, input: MatrixView,
        inputGrad: MatrixView?, trains: Bool, n: Int
    ) {
        guard let lora = layout.lora, let pair = weights.layers[l].adapters[target],
            let grads = gradientViews.layers[l].adapters[target],
            let u = activations!.layers[l].adapterInputs[LoRAIndex.of(target)]
        else { return }
        if trains {
            LowRankAdapter.backward(
                outputGrad: outputGrad, input: input, a: pair.a, b: pair.b, scale: lora.scale,
                u: u.rows(0, count: n), uGrad: activations!.adapterGrad.rows(0, count: n),
                aGrad: grads.a, bGrad: grads.b, inputGrad: inputGrad)
        } else if let inputGrad {
            // Frozen adapter: only its contribution to the input gradient, dx += s·(dy·B)·A.
            let du = activations!.adapterGrad.rows(0, count: n)
            BLAS.gemm(
                outputGrad, MatrixView(pair.b, rows: outputGrad.cols, cols: lora.rank), into: du, alpha: lora.scale)
            BLAS.gemm(du, MatrixView(pair.a, rows: lora.rank, cols: input.cols), into: inputGrad, beta: 1)
        }
    }

    func attentionDropoutSpec(_ dropout: DropoutKey?, layer: Int) -> AttentionDropout? {
        guard let dropout, attentionDropout > 0 else { return nil }
        return AttentionDropout(
            key: dropout, probability: attentionDropout, layer: layer,
            positionStride: config.maxPositionEmbeddings)
    }

    /// Attention runs one (sequence, head) pair per pool thread; each pair's small GEMMs
    /// then must not start OpenBLAS threads of their own.
    func withSingleThreadedBLAS(_ body: () -> Void) {
        guard pool.threads > 1 else { return body() }
        BLAS.setThreads(1)
        body()
        BLAS.setThreads(pool.threads)
    }
}
