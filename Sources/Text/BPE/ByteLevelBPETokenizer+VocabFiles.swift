import Foundation
import JSON

extension ByteLevelBPETokenizer {
    /// Reads the slow-tokenizer form of a byte-level BPE: `vocab.json` (token → id) and
    /// `merges.txt` (one `left right` pair per line in rank order, a `#version` first line
    /// skipped), with the settings transformers' `GPT2Tokenizer` takes from `directory`
    /// (`tokenizer_config.json`, `special_tokens_map.json`, `added_tokens.json`):
    /// `add_prefix_space` (default false), `add_bos_token` (bos before each sequence), the
    /// special tokens (GPT-2's defaults: `<|endoftext|>` as bos, eos and unknown, where the
    /// vocabulary has it) and the added tokens. The special tokens become added tokens, so
    /// they are matched in the text as with a tokenizer.json — what transformers does.
    ///
    /// - Throws: `TokenizerError` naming the file and the entry or line: a missing file, a
    ///   vocab.json that is not an object of token → id or gives an id twice, a merges.txt line
    ///   that is not two tokens or names a token (or a merged token) outside the vocabulary.
    public init(vocabJSON: URL, mergesTxt: URL, settingsFrom directory: URL? = nil) throws(TokenizerError) {
        for url in [vocabJSON, mergesTxt] where !FileManager.default.fileExists(atPath: url.path) {
            throw .missingFile(path: url.path, hint: "a byte-level BPE needs vocab.json and merges.txt")
        }
        let json = TokenizerJSONFile.reader(path: vocabJSON.path)
        let vocabulary = try BPEVocabularyReader.vocabulary(
            try TokenizerJSONFile.parse(vocabJSON), key: "(top level)", json: json)
        let (merges, lines) = try BPEVocabularyReader.merges(mergesTxt)
        let model = try BPEModel(vocabulary: vocabulary, merges: merges, sourcePath: mergesTxt.path) {
            rank, expected, found in
            .malformedLine(path: mergesTxt.path, line: lines[rank], expected: expected, found: found)
        }
        var config = try SpecialTokenConfig.read(directory: directory)
        var provenance = config.source.map { "settings from \($0)" } ?? "GPT-2's defaults"
        if config.source == nil {
            let endOfText = "<|endoftext|>"
            if vocabulary[endOfText] != nil {
                config.tokens = SpecialTokenNames(pad: nil, unknown: endOfText, bos: endOfText, eos: endOfText)
            }
        }
        var addedTokens = config.addedTokens
        var known = vocabulary
        for token in addedTokens { known[token.content] = token.id }
        for name in [config.tokens.bos, config.tokens.eos, config.tokens.unknown, config.tokens.pad] {
            guard let name, !addedTokens.contains(where: { $0.content == name }) else { continue }
            guard let id = known[name] else {
                throw .missingToken(
                    path: directory?.path ?? vocabJSON.path, key: "special token", token: name)
            }
            addedTokens.append(AddedToken(content: name, id: id, normalized: false, special: true))
        }
        var template: PostProcessingTemplate?
        if config.addBosToken {
            guard let name = config.tokens.bos, let bos = known[name] else {
                throw .missingToken(
                    path: directory?.path ?? vocabJSON.path, key: "add_bos_token", token: config.tokens.bos ?? "")
            }
            template = PostProcessingTemplate(
                single: [.special(ids: [bos], typeId: 0), .first(typeId: 0)],
                pair: [.special(ids: [bos], typeId: 0), .first(typeId: 0), .second(typeId: 1)])
            provenance += "; bos added"
        }
        try self.init(
            model: model, addedTokens: addedTokens, addPrefixSpace: config.addPrefixSpace ?? false, useRegex: true,
            template: template, specialTokens: config.tokens, sourcePath: vocabJSON.path, source: vocabJSON,
            provenance: provenance)
    }
}
