import Model

/// A loss that couples the examples of the whole global batch — in-batch negatives seen
/// across ranks — so it cannot be taken one micro-batch at a time as `FineTuningTask`'s
/// `lossAndGradient` is. A task that has one supplies it (`FineTuningTask.coupledLoss`) and
/// the step engine hands it this rank's passes; the loss decides their order (the embedding
/// task: GradCache, `Tasks/Embedding/EmbeddingBatchLoss.swift`).
///
/// Contract of `forwardBackward`: this rank's share of the global batch is `examples`
/// examples of `textsPerExample` sequences each (possibly none: the rank still joins the
/// loss's collectives), run in chunks of at most `chunkSize` (the micro-batch size the
/// activations were reserved for). `forward(r)`
/// assembles examples `r` of the share into the batch, runs the model forward, and leaves the
/// head's rows in `logits.values` (`[sequences × outputs]`, the sequences of each example
/// in order) and the examples' targets in `targets`. `backward(last)` back-propagates what
/// the loss wrote into `logits.gradient` for the chunk of the latest `forward`; `last` is
/// true for the step's final backward pass (the gradient reduction may start during it).
/// Parameter gradients accumulate over the backward passes, scaled so that they are those
/// of the global batch's loss. Returns that loss, the same on every rank.
public protocol CoupledBatchLoss: AnyObject {
    func forwardBackward(
        examples: Int, textsPerExample: Int, chunkSize: Int, logits: Logits, targets: TargetBuffer,
        forward: (Range<Int>) throws -> Void, backward: (_ last: Bool) throws -> Void
    ) throws -> Double
}
