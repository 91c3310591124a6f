/// LoRA adapter passes of the four projections of a block (`c_attn`, `attn.c_proj`, `c_fc`,
/// `mlp.c_proj`); each is a no-op where the block has no adapter on that target.
extension GPT2Model {
    /// `output += s·(input·Aᵀ)·Bᵀ` when block `l` has an adapter on `target`.
    func adapterForward(_ target: LoRATarget, _ l: Int, input: MatrixView, output: MatrixView, n: Int) {
        guard let lora = layout.lora, let pair = weights.blocks[l].adapters[target],
            let u = activations!.blocks[l].adapterInputs[LoRAIndex.of(target)]
        else { return }
        LowRankAdapter.forward(
            input: input, a: pair.a, b: pair.b, scale: lora.scale, u: u.rows(0, count: n), output: output)
    }

    /// Gradients of `adapterForward`; `inputGrad` accumulates (`+=`) — the base projection's
    /// input gradient is already there.
    func adapterBackward(
        _ target: LoRATarget, _ l: Int, outputGrad: MatrixView, input: MatrixView, inputGrad: MatrixView?,
        trains: Bool, n: Int
    ) {
        guard let lora = layout.lora, let pair = weights.blocks[l].adapters[target],
            let grads = gradientViews.blocks[l].adapters[target],
            let u = activations!.blocks[l].adapterInputs[LoRAIndex.of(target)]
        else { return }
        let du = activations!.adapterGrad.rows(0, count: n)
        if trains {
            LowRankAdapter.backward(
                outputGrad: outputGrad, input: input, a: pair.a, b: pair.b, scale: lora.scale,
                u: u.rows(0, count: n), uGrad: du, aGrad: grads.a, bGrad: grads.b, inputGrad: inputGrad)
        } else if let inputGrad {
            // Frozen adapter: only its contribution to the input gradient, dx += s·(dy·B)·A.
            BLAS.gemm(
                outputGrad, MatrixView(pair.b, rows: outputGrad.cols, cols: lora.rank), into: du, alpha: lora.scale)
            BLAS.gemm(du, MatrixView(pair.a, rows: lora.rank, cols: input.cols), into: inputGrad, beta: 1)
        }
    }
}
