import JSON
import Model

/// The saved form of a SetFit head, `head.safetensors` beside the body:
///
///     coef        F32 [classes, dim]   row k scores label k
///     intercept   F32 [classes]
///     __metadata__ {"format": "ddp-train-logistic-head", "version": "1",
///                   "labels": "[\"negative\", \"positive\"]"}   (a JSON array, class order)
///
/// `p(k | x) = softmax(coef · x + intercept)ₖ` on the body's (pooled, normalised as its
/// modules say) embedding. In Python: `coef`, `intercept` from `safetensors.numpy.load_file`
/// give scikit-learn's `coef_`/`intercept_` for three or more classes; a two-class head is
/// written in the softmax form `[−w/2, w/2]` (see `LogisticRegressionHead`), and reading a
/// `[1, dim]` `coef` with a `[1]` `intercept` — scikit-learn's binary layout — is accepted too.
extension LogisticRegressionHead {
    public static let fileName = "head.safetensors"
    static let formatName = "ddp-train-logistic-head"

    /// Writes the head to `path` (fsynced; write to a temporary path and rename for atomicity).
    /// - Throws: `SafeTensorsError` for an I/O failure.
    public func write(to path: String) throws(SafeTensorsError) {
        let labelsJSON = "[" + labels.map(JSON.quoted).joined(separator: ", ") + "]"
        let metadata = ["format": Self.formatName, "version": "1", "labels": labelsJSON]
        let classes = classes, dim = dim
        var failure: SafeTensorsError?
        coef.withUnsafeBufferPointer { c in
            intercept.withUnsafeBufferPointer { b in
                do throws(SafeTensorsError) {
                    try SafeTensorsWriter.write(
                        [
                            SafeTensorsEntry(name: "coef", shape: [classes, dim], data: c),
                            SafeTensorsEntry(name: "intercept", shape: [classes], data: b),
                        ], metadata: metadata, to: path)
                } catch { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// Reads a head written by `write(to:)` (or in scikit-learn's binary layout).
    /// - Throws: `SafeTensorsError` naming the file for a missing or malformed file, a missing
    ///   tensor, `labels` metadata that is not a JSON array of strings, or shapes that disagree
    ///   with each other or with the labels.
    public static func read(from path: String) throws(SafeTensorsError) -> LogisticRegressionHead {
        let file = try SafeTensorsFile(contentsOf: path)
        func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(file: path, message: message) }
        if let format = file.metadata["format"], format != formatName {
            throw fail("metadata format is \"\(format)\", not \"\(formatName)\"")
        }
        guard let text = file.metadata["labels"] else { throw fail("no \"labels\" in the metadata") }
        guard case .array(let values) = try? JSONParser.parse(text) else {
            throw fail("metadata \"labels\" is not a JSON array: \(text)")
        }
        let labels = try values.map { value throws(SafeTensorsError) -> String in
            guard case .string(let label) = value else { throw fail("metadata \"labels\" holds a non-string: \(text)") }
            return label
        }
        let coefShape = try file.tensor("coef").shape, interceptShape = try file.tensor("intercept").shape
        guard coefShape.count == 2, interceptShape == [coefShape[0]] else {
            throw fail("coef \(coefShape) and intercept \(interceptShape) are not [classes, dim] and [classes]")
        }
        var coef = try file.floats("coef"), intercept = try file.floats("intercept")
        let dim = coefShape[1]
        if coefShape[0] == 1 && labels.count == 2 {  // scikit-learn's binary form: p(1) = σ(w·x + b)
            let half = coef.map { $0 / 2 }
            coef = half.map { -$0 } + half
            intercept = [-intercept[0] / 2, intercept[0] / 2]
        }
        guard coef.count == labels.count * dim else {
            throw fail("coef \(coefShape) does not have a row for each of the \(labels.count) labels \(labels)")
        }
        do {
            return try LogisticRegressionHead(labels: labels, dim: dim, coef: coef, intercept: intercept)
        } catch {
            throw fail(error.message)
        }
    }
}
