import Foundation
import Model
import Parallel
import Text

/// A model loaded for `embed`: its transformer with the pooling (and normalisation) of its
/// sentence-transformers pipeline as the head (`TaskHead.embedding`), so each row's vector is
/// the one `SentenceTransformer(path).encode` gives. Rank 0 reads the weights and broadcasts
/// them; every rank embeds its share of the rows.
public final class EmbeddingSession {
    public let directory: ModelDirectory
    /// The directory's sentence-transformers pipeline (`ModelDirectory.sentencePipeline`).
    public let pipeline: SentenceTransformersConfig
    /// The pipeline as run: the directory's, with `--normalize` applied.
    public let pooling: SentencePooling
    public let model: any TrainableModel
    let communicator: Communicator
    /// Tokens per text: as asked, else the pipeline's `max_seq_length`, else the length the
    /// model was trained with; never more than its positions.
    public let maxLength: Int
    /// Rows per forward pass; see `embeddings`.
    let batchSize: Int

    /// Opens the model in `path`; `normalize` true adds normalisation to a pipeline without it.
    public init(
        modelPath: String, communicator: Communicator, maxLength: Int?, normalize: Bool, batchSize: Int,
        threads: Int?
    ) throws {
        precondition(batchSize > 0, "EmbeddingSession: batch size \(batchSize)")
        self.batchSize = batchSize
        self.communicator = communicator
        let opened = try communicator.agreeing { () -> (ModelDirectory, SentenceTransformersConfig, Int) in
            let directory = try ModelDirectory(modelPath)
            let pipeline = try directory.sentencePipeline()
            let positions = directory.config.maxPositions
            if let maxLength, maxLength > positions {
                throw OptionError(
                    "--max-length \(maxLength) exceeds the model's \(directory.config.maxPositionsKey) (\(positions))")
            }
            let own = pipeline.maxSeqLength ?? TrainedLength.defaultMaxLength(of: directory)
            return (directory, pipeline, maxLength ?? min(own, positions))
        }
        directory = opened.0
        pipeline = opened.1
        self.maxLength = opened.2
        var pooling = pipeline.pooling
        if normalize { pooling.normalize = true }
        self.pooling = pooling
        let threads = try threads ?? ThreadPlan(ranksOnNode: communicator.localSize).threads
        BLAS.setThreads(threads)
        let config = directory.config
        let model = try communicator.agreeing {
            try ModelFamilies.family(of: config).makeModel(
                config: config, head: .embedding(pooling), lora: nil, pool: ThreadPool(threads: threads))
        }
        self.model = model
        let weights = directory.weightsPath
        try communicator.agreeing {
            if communicator.rank == 0 {
                _ = try model.loadWeights(from: SafeTensorsFile(contentsOf: weights), loadHead: false)
            }
        }
        try communicator.broadcast(model.parameters.buffer, root: 0)
    }

    /// Columns of each embedding.
    public var dimension: Int { pooling.dimension(hiddenSize: directory.config.bert?.hiddenSize ?? 0) }

    /// The texts of `path` (one per row, its text column detected or named), tokenised as
    /// sentence-transformers does: lower-cased first when the pipeline says `do_lower_case`,
    /// truncated to `maxLength`. A second text column is ignored.
    public func read(_ path: String, textColumn: String?) throws -> EncodedDataset {
        var rows = try TextDatasetReader.read(path, columns: ColumnSelection(text: textColumn, requireLabel: false))
        let lower = pipeline.doLowerCase
        for i in rows.indices {
            rows[i].pair = nil
            rows[i].label = nil
            if lower { rows[i].text = rows[i].text.lowercased() }
        }
        if rows.isEmpty { throw DataError(file: path, line: 1, "no rows to embed") }
        return EncodedDataset.tokenized(
            rows, file: path, tokenizer: directory.tokenizer, maxLength: maxLength,
            targets: .classes(Array(repeating: -1, count: rows.count)))
    }

    /// The embedding of every row, `[rows × dimension]` in input order, complete on every
    /// rank: the rows are cut into chunks of `batchSize`, rank r runs chunks r, r + size, …,
    /// and one allreduce sums the (otherwise zero) rows, as `InferenceSession.logits` shares.
    /// The chunks do not depend on the rank count: a row's vector depends (in its last bits:
    /// BLAS blocks by the row count) on the rows it shares a GEMM with, so this makes np 1 and
    /// np N write the same bytes.
    public func embeddings(_ dataset: EncodedDataset) throws -> [Float] {
        let longest = max(dataset.longest, 1)
        model.reserve(maxSequences: batchSize, maxTokens: batchSize * longest, maxLength: longest)
        let batch = PackedBatch(sequenceCapacity: batchSize, tokenCapacity: batchSize * longest)
        let d = dimension
        var all = [Float](repeating: 0, count: dataset.count * d)
        let chunks = (dataset.count + batchSize - 1) / batchSize
        for chunk in stride(from: communicator.rank, to: chunks, by: communicator.size) {
            let start = chunk * batchSize, end = min(start + batchSize, dataset.count)
            batch.removeAll()
            for i in start..<end { dataset.append(i, to: batch, sample: UInt64(i)) }
            model.forward(batch, dropout: nil)
            let values = model.logits.values
            all.withUnsafeMutableBufferPointer { out in
                (out.baseAddress! + start * d).update(from: values, count: (end - start) * d)
            }
        }
        try all.withUnsafeMutableBufferPointer { try communicator.allreduce($0, operation: .sum) }
        return all
    }
}
