/// The classes of a classification task, in label-id order, as saved in `config.json`
/// (`id2label`). The order is fixed once — from the model being fine-tuned again, or from
/// the training data — and stored with every checkpoint.
public struct LabelSet: Equatable, Sendable, CustomStringConvertible {
    public let names: [String]
    private let ids: [String: Int]

    public init(names: [String]) {
        self.names = names
        ids = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The label set of a training file: the distinct labels, numerically sorted when every
    /// label is an integer (so "0", "1", "10", "2" become 0, 1, 2, 10), else sorted as text.
    public static func infer(from labels: [String]) -> LabelSet {
        let distinct = Set(labels)
        let integers = distinct.compactMap { Int($0) }
        if integers.count == distinct.count {
            return LabelSet(names: integers.sorted().map(String.init))
        }
        return LabelSet(names: distinct.sorted())
    }

    public var count: Int { names.count }

    public func id(of name: String) -> Int? { ids[name] }

    public var description: String { "[" + names.joined(separator: ", ") + "]" }
}
