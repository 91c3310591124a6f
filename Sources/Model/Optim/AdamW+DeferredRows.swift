/// The rows of one `[rows, width]` table of the parameter slab (the word embeddings) whose
/// AdamW update is deferred while their gradient is zero.
///
/// Dense AdamW moves a row without gradient too: m ← β1·m, v ← β2·v, and p by the decay and
/// by what is left of its moments. Those updates depend only on the row and on each step's
/// constants, so they can be applied later, in order, with the same operations: the row then
/// equals the densely updated one bit for bit. A step writes only the rows it touched (each
/// first brought up to date) and records its constants; a row is brought up to date when the
/// forward pass reads it (`AdamW.catchUpRows`), every row by `AdamW.applyDeferredUpdates`
/// before anything reads the whole slab (checkpoint, evaluation, replica checks).
///
/// On a batch of a few hundred distinct tokens this saves most of a pass over the table's
/// parameters and both moments per step (half of a BERT-small model's parameters). A row a
/// gradient has reached pays the same arithmetic later, on a row then in cache; a row none
/// has reached (most of a vocabulary in a fine-tuning run) owes only its weight decay.
public final class DeferredRows {
    /// The table's place in the slab, and its row width.
    public let range: Range<Int>
    public let width: Int
    /// Per row: how many of `history`'s steps it has had.
    private var applied: [Int32]
    /// The constants of each step since every row was last up to date.
    private var history: [AdamW.StepConstants] = []
    /// Scratch: the rows being brought up to date, each with the first step it owes.
    private var queue: [(row: Int, from: Int)] = []

    init(range: Range<Int>, width: Int) {
        self.range = range
        self.width = width
        applied = Array(repeating: 0, count: range.count / width)
        queue.reserveCapacity(applied.count)
    }

    /// Steps some row still owes (0 when every row is up to date).
    public var pendingSteps: Int { history.count }

    /// Records a step and applies it to `touchedRows` (ascending; nil: every row), each first
    /// brought up to date; the others owe it.
    func step(_ constants: AdamW.StepConstants, touchedRows: [Int]?, operands: AdamW.Operands, pool: ThreadPool) {
        history.append(constants)
        if let touchedRows {
            for row in touchedRows { enqueue(row) }
        } else {
            for row in applied.indices { enqueue(row) }
        }
        advanceQueue(gradient: true, operands: operands, pool: pool)
    }

    /// Brings the rows of `ids` up to date.
    func catchUp(_ ids: UnsafePointer<Int32>, count: Int, operands: AdamW.Operands, pool: ThreadPool) {
        for t in 0..<count { enqueue(Int(ids[t])) }
        advanceQueue(gradient: false, operands: operands, pool: pool)
    }

    /// Brings every row up to date and forgets the history.
    func applyAll(operands: AdamW.Operands, pool: ThreadPool) {
        guard !history.isEmpty else { return }
        for row in applied.indices { enqueue(row) }
        advanceQueue(gradient: false, operands: operands, pool: pool)
        history.removeAll(keepingCapacity: true)
        for row in applied.indices { applied[row] = 0 }
    }

    /// Queues `row` unless it is up to date, and marks it so (a row repeated is queued once).
    private func enqueue(_ row: Int) {
        let from = Int(applied[row])
        guard from < history.count else { return }
        queue.append((row, from))
        applied[row] = Int32(history.count)
    }

    /// Applies to each queued row the steps it owes — the last one with its gradient when
    /// `gradient` — and empties the queue.
    private func advanceQueue(gradient: Bool, operands: AdamW.Operands, pool: ThreadPool) {
        let count = queue.count
        guard count > 0 else { return }
        let width = width, lower = range.lowerBound, total = history.count
        queue.withUnsafeBufferPointer { queued in
            history.withUnsafeBufferPointer { steps in
                pool.parallelFor(count, grain: 8) { part in
                    for (row, from) in queued[part] {
                        let start = lower + row * width
                        let owed = UnsafeBufferPointer(rebasing: steps[from..<total])
                        let elements = start..<(start + width)
                        if !gradient && AdamWKernel.hasNoMoments(elements, operands: operands) {
                            AdamWKernel.decay(elements, steps: owed, parameters: operands.p)
                        } else {
                            AdamWKernel.replay(
                                steps: owed, lastWithGradient: gradient, range: elements, operands: operands)
                        }
                    }
                }
            }
        }
        queue.removeAll(keepingCapacity: true)
    }
}

extension AdamW {
    /// What an update reads and writes (the gradients, times `gradientScale`, only when a step
    /// applies them), with the optimizer's constant hyperparameters.
    struct Operands {
        var p, m, v: UnsafeMutablePointer<Float>
        var g: UnsafeMutablePointer<Float>?
        var gradientScale: Float = 1
        var beta1, beta2, epsilon: Float
    }

    func operands(parameters: FloatSlab, gradients: FloatSlab?, gradientScale: Float = 1) -> Operands {
        Operands(
            p: parameters.base, m: firstMoment.base, v: secondMoment.base, g: gradients?.base,
            gradientScale: gradientScale, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    /// Defers the zero-gradient updates of the rows of `range` (a `[rows, width]` table) from
    /// now on; rows deferred before are brought up to date first.
    public func deferUntouchedRows(of range: Range<Int>, width: Int, parameters: FloatSlab, pool: ThreadPool) {
        applyDeferredUpdates(parameters: parameters, pool: pool)
        if deferredRows?.range != range || deferredRows?.width != width {
            deferredRows = DeferredRows(range: range, width: width)
        }
    }

    /// Brings every deferred row up to date and stops deferring.
    public func stopDeferringRows(parameters: FloatSlab, pool: ThreadPool) {
        applyDeferredUpdates(parameters: parameters, pool: pool)
        deferredRows = nil
    }

    /// Brings the deferred rows of `ids` (the tokens a forward pass is about to read) up to date.
    public func catchUpRows(_ ids: UnsafePointer<Int32>, count: Int, parameters: FloatSlab, pool: ThreadPool) {
        deferredRows?.catchUp(
            ids, count: count, operands: operands(parameters: parameters, gradients: nil), pool: pool)
    }

    /// Brings every deferred row up to date: the parameters and both moments then equal a dense
    /// optimizer's. Needed before anything reads the whole slab.
    public func applyDeferredUpdates(parameters: FloatSlab, pool: ThreadPool) {
        deferredRows?.applyAll(operands: operands(parameters: parameters, gradients: nil), pool: pool)
    }
}

extension AdamWKernel {
    /// Whether zero-gradient steps leave every element of `range` at `p·decay`: both moments
    /// +0 (no gradient has reached them yet) and ε > 0. Then m and v stay +0 and
    /// `p·d − s·(+0 / (√(+0)/c + ε))` is `p·d − (+0)`, which is `p·d` for every float.
    /// Most rows of a vocabulary are such rows in a fine-tuning run.
    static func hasNoMoments(_ range: Range<Int>, operands s: AdamW.Operands) -> Bool {
        guard s.epsilon > 0 else { return false }
        var bits: UInt32 = 0
        for i in range { bits |= s.m[i].bitPattern | s.v[i].bitPattern }
        return bits == 0
    }

    /// Zero-gradient steps of elements without moments (`hasNoMoments`): each step's decay, in
    /// order (a factor of 1 leaves every float as it is).
    static func decay(
        _ range: Range<Int>, steps: UnsafeBufferPointer<StepConstants>, parameters p: UnsafeMutablePointer<Float>
    ) {
        for step in steps where step.decayFactor != 1 {
            let d = step.decayFactor
            for i in range { p[i] = p[i] * d }
        }
    }

    /// Applies `steps` in order to `range`: each with a zero gradient, but the last with the
    /// gradient in `operands.g` when `lastWithGradient`. Each element goes through the same
    /// operations as in `update`, so the result is the dense one bit for bit.
    static func replay(
        steps: UnsafeBufferPointer<StepConstants>, lastWithGradient: Bool, range: Range<Int>, operands s: AdamW.Operands
    ) {
        let zeroSteps = lastWithGradient ? steps.count - 1 : steps.count
        let b1 = s.beta1, b2 = s.beta2, eps = s.epsilon
        var i = range.lowerBound
        while i < range.upperBound {
            let n = min(Lanes.scalarCount, range.upperBound - i)
            var p = load(s.p + i, n), m = load(s.m + i, n), v = load(s.v + i, n)
            for k in 0..<zeroSteps {
                updated(&p, &m, &v, gradient: Lanes(), beta1: b1, beta2: b2, epsilon: eps, constants: steps[k])
            }
            if lastWithGradient {
                let g = load(s.g! + i, n) * s.gradientScale
                updated(&p, &m, &v, gradient: g, beta1: b1, beta2: b2, epsilon: eps, constants: steps[zeroSteps])
            }
            store(p, s.p + i, n)
            store(m, s.m + i, n)
            store(v, s.v + i, n)
            i += n
        }
    }
}
