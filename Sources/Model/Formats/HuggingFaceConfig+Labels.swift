import JSON

extension HuggingFaceConfig {
    /// `id2label`, `label2id` and `num_labels`, cross-checked; see `init(bytes:file:)`.
    static func readLabels(_ fields: inout ConfigFields, architectures: [String]) throws(HuggingFaceConfigError)
        -> [String]
    {
        let numLabels = try fields.int("num_labels")
        if let numLabels, numLabels < 1 {
            throw fields.error("num_labels", "expected a positive integer, found \(numLabels)")
        }

        var labels: [String]?
        if let members = try fields.object("id2label") {
            var byId: [Int: String] = [:]
            for member in members {
                // Python's json writes int keys as decimal strings: "0", "1", …
                guard !member.key.isEmpty,
                    member.key.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                    let id = Int(member.key)
                else {
                    throw fields.error(
                        "id2label",
                        "key \"\(member.key)\" is not a label id, expected a non-negative integer in a string")
                }
                guard case .string(let label) = member.value else {
                    throw fields.error(
                        "id2label",
                        "the label of id \(id) is a JSON \(member.value.typeName) (\(member.value.excerpt())), "
                            + "expected a string"
                    )
                }
                if byId[id] != nil { throw fields.error("id2label", "id \(id) is given twice") }
                byId[id] = label
            }
            if let missing = (0..<byId.count).first(where: { byId[$0] == nil }) {
                throw fields.error(
                    "id2label",
                    "ids must be 0..<\(byId.count) without gaps, but id \(missing) is missing (ids: "
                        + "\(byId.keys.sorted()))"
                )
            }
            labels = (0..<byId.count).map { byId[$0]! }
        }

        if let members = try fields.object("label2id") {
            var idByLabel: [String: Int] = [:]
            for member in members {
                guard let id = member.value.integerValue else {
                    throw fields.error(
                        "label2id",
                        "the id of label \"\(member.key)\" is \(member.value.excerpt()), expected an integer")
                }
                idByLabel[member.key] = id
            }
            if let labels {
                guard idByLabel.count == labels.count else {
                    throw fields.error("label2id", "has \(idByLabel.count) labels, but id2label has \(labels.count)")
                }
                for (label, id) in idByLabel.sorted(by: { $0.value < $1.value })
                where id < 0 || id >= labels.count || labels[id] != label {
                    let other = (0..<labels.count).contains(id) ? "\"\(labels[id])\"" : "absent"
                    throw fields.error("label2id", "maps \"\(label)\" to \(id), but id2label[\"\(id)\"] is \(other)")
                }
            } else {
                var byId: [Int: String] = [:]
                for (label, id) in idByLabel { byId[id] = label }
                guard let missing = (0..<idByLabel.count).first(where: { byId[$0] == nil }) else {
                    labels = (0..<idByLabel.count).map { byId[$0]! }
                    return try checked(labels!, numLabels: numLabels, fields: fields)
                }
                throw fields.error(
                    "label2id",
                    "ids must be 0..<\(idByLabel.count), each once, but id \(missing) is missing (ids: "
                        + "\(idByLabel.values.sorted()))"
                )
            }
        }

        if let labels { return try checked(labels, numLabels: numLabels, fields: fields) }
        if let numLabels { return (0..<numLabels).map { "LABEL_\($0)" } }
        let hasLabelledHead = architectures.contains {
            $0.hasSuffix("ForSequenceClassification") || $0.hasSuffix("ForTokenClassification")
        }
        return hasLabelledHead ? ["LABEL_0", "LABEL_1"] : []
    }

    private static func checked(_ labels: [String], numLabels: Int?, fields: ConfigFields)
        throws(HuggingFaceConfigError) -> [String]
    {
        if let numLabels, numLabels != labels.count {
            throw fields.error(
                "num_labels", "is \(numLabels), but there are \(labels.count) labels in id2label/label2id")
        }
        return labels
    }
}
