import Foundation
import TestSupport
import Testing
import Text

/// `Tokenizers.load(directory:)` picks the model from tokenizer.json's `model.type`, or from
/// the files present, and the protocol serves both models alike.
@Suite("Loading a tokenizer through the TextTokenizer protocol")
struct TokenizerLoaderTests {
    @Test("the pretrained model's tokenizer.json is WordPiece, with the same ids as before")
    func wordPieceFromTokenizerJSON() throws {
        let directory = try PretrainedModel.directory()
        let tokenizer = try Tokenizers.load(directory: directory)
        let wordPiece = try #require(tokenizer as? WordPieceTokenizer)
        let reference = try TextTestSupport.modelTokenizer()
        let text = "Unaffable movie, isn't it? I'm sure it's great!"
        #expect(
            tokenizer.encode(text, pair: "yes", maxLength: 16) == reference.encode(text, pair: "yes", maxLength: 16))
        #expect(tokenizer.specialIds == SpecialTokenIds(pad: reference.padId, unknown: reference.unknownId))
        #expect(wordPiece.vocabSize == reference.vocabSize)
    }

    @Test("WordPiece decoding as tokenizers' WordPiece decoder (prefix ##, cleanup)")
    func wordPieceDecode() throws {
        let tokenizer: any TextTokenizer = try TextTestSupport.modelTokenizer()
        // tokenizers 0.23.3: Tokenizer.from_file(".../all-MiniLM-L6-v2/tokenizer.json")
        //     t.decode(t.encode(text).ids, skip_special_tokens=False), padding removed
        let cases = [
            (
                "Unaffable movie, isn't it? I'm sure it's great!",
                "[CLS] unaffable movie, isn ' t it? i ' m sure it ' s great! [SEP]"
            ),
            ("don't do that... 3.14 [MASK] ok", "[CLS] don ' t do that... 3. 14 [MASK] ok [SEP]"),
        ]
        for (text, expected) in cases {
            #expect(tokenizer.decode(tokenizer.encode(text, pair: nil, maxLength: nil).ids) == expected)
        }
    }

    @Test("a directory with only vocab.txt is WordPiece")
    func wordPieceFromVocabTxt() throws {
        let directory = try Fixtures.temporaryDirectory("loader-vocab-txt")
        _ = try TextTestSupport.writeVocabTxt(from: try PretrainedModel.directory(), to: directory)
        #expect(try Tokenizers.load(directory: directory) is WordPieceTokenizer)
    }

    @Test(
        "the BPE fixtures are byte-level BPE, with GPT-2's special ids",
        arguments: ["gpt2", "gpt2-pairs", "gpt2-files", "prefix", "prefix-pairs", "prefix-files"])
    func bytePairEncoding(name: String) throws {
        let tokenizer = try Tokenizers.load(directory: try BPETestSupport.directory(name))
        let bpe = try #require(tokenizer as? ByteLevelBPETokenizer)
        let endOfText = try #require(tokenizer.id(for: "<|endoftext|>"))
        #expect(tokenizer.specialIds.eos == endOfText && tokenizer.specialIds.bos == endOfText)
        #expect(tokenizer.specialIds.pad == nil)
        #expect(tokenizer.vocabSize == 1201)
        #expect(tokenizer.token(for: tokenizer.id(for: "<sep>")!) == "<sep>")
        #expect(bpe.addPrefixSpace == name.hasPrefix("prefix"))
        #expect(tokenizer.summary.contains("byte-level BPE") && tokenizer.summary.contains("1201 ids"))
        // Each word is tokenized on its own, as tokenizers' `encode(words, is_pretokenized=True)`
        // (checked with tokenizers 0.23.3 on both fixtures: the same ids as the words' own
        // encodings, one after the other).
        let words = ["hello", "world", "it's", "<sep>x"]
        let alignment = tokenizer.encode(words: words, maxLength: nil)
        let pieces = words.map { tokenizer.ids($0) }
        let special = tokenizer.encode("", pair: nil, maxLength: nil).ids
        #expect(alignment.encoding.ids == pieces.joined() + special)
        #expect(
            alignment.wordIds == pieces.enumerated().flatMap {
                Array(repeating: Int32($0.offset), count: $0.element.count)
            }
                + special.map { _ in -1 })
        #expect(alignment.isPredicted == [true, true, true, true])
    }

    @Test("a directory without tokenizer files names itself and what was looked for")
    func emptyDirectory() throws {
        let directory = try Fixtures.temporaryDirectory("loader-empty")
        #expect {
            _ = try Tokenizers.load(directory: directory)
        } throws: { error in
            let message = "\(error)"
            return message.contains(directory.path) && message.contains("tokenizer.json")
                && message.contains("vocab.txt") && message.contains("vocab.json with merges.txt")
        }
    }
}
