extension ByteLevelBPETokenizer: TextTokenizer {
    /// One paragraph for `ddp-train inspect`: source, sizes, pre-tokenization, special ids.
    public var summary: String {
        func named(_ label: String, _ id: Int32?) -> String? {
            id.map { "\(label) \(token(for: $0) ?? "?")=\($0)" }
        }
        let specials = [
            named("bos", specialIds.bos), named("eos", specialIds.eos), named("pad", specialIds.pad),
            named("unk", specialIds.unknown),
        ].compactMap { $0 }
        var parts = [
            "byte-level BPE tokenizer from \(source?.path ?? "memory")\(provenance.isEmpty ? "" : " (\(provenance))")",
            "\(vocabSize) ids",
            "\(model.mergeCount) merges",
            addPrefixSpace ? "adds a prefix space" : "no prefix space",
            useRegex ? "splits with GPT-2's pattern" : "no pre-tokenizer split",
            specials.isEmpty ? "no special ids" : "special ids " + specials.joined(separator: " "),
            template.specialTokenCount(pair: false) == 0
                ? "adds no special tokens"
                : "adds \(template.specialTokenCount(pair: false)) special tokens to a text",
        ]
        if !addedTokens.isEmpty { parts.append("\(addedTokens.count) added tokens") }
        return parts.joined(separator: "; ") + "."
    }
}
