import TestSupport
import Testing
@testable import Model

/// The fused residual junction against the three passes it replaces (dropout on the branch,
/// the residual add, LayerNorm; backward: LayerNorm, the copy into the branch, dropout): the
/// same operations per element in the same order, so the results agree bit for bit, with and
/// without dropout, with 1 and 3 threads, at a width with a scalar tail (37 = 2·16 + 5).
@Suite struct ResidualLayerNormTests {
    @Test(arguments: [(Float(0), 1), (0.3, 1), (0.3, 3)])
    func fusedEqualsUnfused(dropout p: Float, threads: Int) {
        let c = 37
        let batch = PackedBatch(sequenceCapacity: 2, tokenCapacity: 16)
        batch.append(ids: [1, 2, 3, 4, 5, 6, 7], sample: 4)
        batch.append(ids: [1, 2, 3, 4, 5], sample: 9)
        let n = batch.tokenCount
        let pool = threads == 1 ? ThreadPool.serial : ThreadPool(threads: threads)
        var random = TestRandom(seed: 21)
        let branch = random.array(n * c, scale: 2), residual = random.array(n * c, scale: 3)
        let gamma = FloatSlab(random.array(c)), beta = FloatSlab(random.array(c))
        let outputGrad = random.array(n * c)
        let key = DropoutKey(seed: 5, step: 2), site = DropoutSite.attentionOutput(layer: 1)
        func view(_ slab: FloatSlab) -> MatrixView { MatrixView(slab.base, rows: n, cols: c) }

        // Fused.
        let fusedBranch = FloatSlab(branch), fusedResidual = FloatSlab(residual)
        let fusedSum = FloatSlab(count: n * c), fusedOut = FloatSlab(count: n * c)
        let fusedMean = FloatSlab(count: n), fusedRstd = FloatSlab(count: n)
        let dropout = ResidualLayerNorm.BranchDropout(batch: batch, key: key, site: site, probability: p)
        ResidualLayerNorm.forward(
            branch: view(fusedBranch), residual: view(fusedResidual), dropout: dropout, sum: view(fusedSum),
            weight: gamma.base, bias: beta.base, epsilon: 1e-12, output: view(fusedOut), mean: fusedMean.base,
            rstd: fusedRstd.base, pool: pool)
        let fusedGrad = FloatSlab(outputGrad), fusedBranchGrad = FloatSlab(count: n * c)
        let fusedGamma = FloatSlab(count: c), fusedBeta = FloatSlab(count: c)
        ResidualLayerNorm.backward(
            grad: view(fusedGrad), sum: view(fusedSum), weight: gamma.base, mean: fusedMean.base,
            rstd: fusedRstd.base, weightGrad: fusedGamma.base, biasGrad: fusedBeta.base,
            branchGrad: view(fusedBranchGrad), dropout: dropout, pool: pool)

        // Unfused.
        let plainBranch = FloatSlab(branch), plainResidual = FloatSlab(residual)
        let plainSum = FloatSlab(count: n * c), plainOut = FloatSlab(count: n * c)
        let plainMean = FloatSlab(count: n), plainRstd = FloatSlab(count: n)
        Dropout.applyToTokens(view(plainBranch), batch: batch, key: key, site: site, probability: p, pool: pool)
        Residual.add(view(plainBranch), view(plainResidual), into: view(plainSum), pool: pool)
        LayerNorm.forward(
            input: view(plainSum), weight: gamma.base, bias: beta.base, epsilon: 1e-12, output: view(plainOut),
            mean: plainMean.base, rstd: plainRstd.base, pool: pool)
        let plainGrad = FloatSlab(outputGrad), plainBranchGrad = FloatSlab(count: n * c)
        let plainGamma = FloatSlab(count: c), plainBeta = FloatSlab(count: c)
        LayerNorm.backward(
            outputGrad: view(plainGrad), input: view(plainSum), weight: gamma.base, mean: plainMean.base,
            rstd: plainRstd.base, inputGrad: view(plainGrad), weightGrad: plainGamma.base, biasGrad: plainBeta.base,
            pool: pool)
        plainBranchGrad.base.update(from: plainGrad.base, count: n * c)
        Dropout.applyToTokens(view(plainBranchGrad), batch: batch, key: key, site: site, probability: p, pool: pool)

        #expect(fusedBranch.array == plainBranch.array, "dropped branch")
        #expect(fusedSum.array == plainSum.array, "sum")
        #expect(fusedOut.array == plainOut.array, "output")
        #expect(fusedMean.array == plainMean.array && fusedRstd.array == plainRstd.array, "statistics")
        #expect(fusedGrad.array == plainGrad.array, "residual gradient")
        #expect(fusedBranchGrad.array == plainBranchGrad.array, "branch gradient")
        #expect(fusedGamma.array == plainGamma.array && fusedBeta.array == plainBeta.array, "γ and β gradients")
        if p > 0 {
            // The mask did something: some branch gradients are zero where the residual's are not.
            let dropped = zip(fusedBranchGrad.array, fusedGrad.array).filter { $0.0 == 0 && $0.1 != 0 }.count
            #expect(dropped > 0)
        }
    }
}
