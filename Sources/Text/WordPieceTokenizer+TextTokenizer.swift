import Foundation

extension WordPieceTokenizer: TextTokenizer {
    /// The pad and unknown ids; BERT defines no begin- or end-of-sequence token.
    public var specialIds: SpecialTokenIds { SpecialTokenIds(pad: padId, unknown: unknownId) }

    /// The text of `ids` as tokenizers' `WordPiece` decoder gives it (`prefix` "##",
    /// `cleanup` true, the decoder of BERT's tokenizer.json): tokens joined by spaces, a
    /// continuation piece glued to the one before without its prefix, and the space before
    /// `. ? ! ,` and English clitics (`'s`, `n't`, …) taken out. Special tokens stay; ids
    /// without a token are skipped. Lower-casing and accent stripping are not undone.
    public func decode(_ ids: [Int32]) -> String {
        var text = ""
        let prefix = model.continuingSubwordPrefix
        var first = true
        for id in ids {
            guard var piece = token(for: id) else { continue }
            if !first {
                if !prefix.isEmpty && piece.hasPrefix(prefix) {
                    piece.removeFirst(prefix.count)
                } else {
                    piece = " " + piece
                }
            }
            first = false
            text += Self.cleanUp(piece)
        }
        return text
    }

    /// tokenizers' `decoders::wordpiece::cleanup`, applied to one token with its space.
    private static func cleanUp(_ piece: String) -> String {
        guard piece.contains(" ") else { return piece }
        var piece = piece
        for (dirty, clean) in [
            (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
            (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
        ] {
            piece = piece.replacingOccurrences(of: dirty, with: clean)
        }
        return piece
    }
}
