import JSON

extension SentenceTransformersConfig {
    /// `1_Pooling/config.json` in either form sentence-transformers has written:
    ///
    ///     {"word_embedding_dimension": 384, "pooling_mode_mean_tokens": true, …}   before 6
    ///     {"embedding_dimension": 384, "pooling_mode": "mean", "include_prompt": true}   6 on
    ///
    /// `pooling_mode` (a name or a list, concatenated in the listed order) wins over the flags,
    /// and no mode at all means mean, as sentence-transformers 6 reads them. Weighted-mean and
    /// last-token pooling, and any unknown key (it might change the vectors), are errors.
    static func readPooling(_ path: String, normalize: Bool) throws(HuggingFaceConfigError) -> (SentencePooling, Int) {
        let reader = Self.reader(path)
        let members = try reader.object(try readJSON(path), key: "(top level)")
        var flagged: [PoolingMode] = []
        var listed: [PoolingMode]?
        var dimension: Int?
        var includePrompt = true
        for member in members {
            let key = member.key
            switch key {
            case "word_embedding_dimension", "embedding_dimension":
                dimension = try reader.int(member.value, key: key, range: 1...Int(Int32.max))
            case "include_prompt":
                includePrompt = try reader.bool(member.value, key: key, default: true)
            case "pooling_mode":
                listed = try modeList(member.value, reader: reader)
            case "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken":
                if try reader.bool(member.value, key: key, default: false) { throw unsupported(key, path) }
            default:
                guard let mode = PoolingMode.allCases.first(where: { "pooling_mode_" + $0.rawValue == key }) else {
                    throw HuggingFaceConfigError(file: path, key: key, message: "unknown pooling setting")
                }
                if try reader.bool(member.value, key: key, default: false) { flagged.append(mode) }
            }
        }
        guard let dimension else {
            throw HuggingFaceConfigError(file: path, key: "word_embedding_dimension", message: "missing")
        }
        let modes = listed ?? PoolingMode.allCases.filter(flagged.contains)
        return (
            SentencePooling(modes: modes.isEmpty ? [.mean] : modes, normalize: normalize, includePrompt: includePrompt),
            dimension
        )
    }

    /// `"mean"` or `["cls", "mean"]`, without repeats.
    static func modeList(
        _ value: JSONValue, reader: JSONReader<HuggingFaceConfigError>
    ) throws(HuggingFaceConfigError) -> [PoolingMode] {
        let names: [JSONValue] = if case .array(let items) = value { items } else { [value] }
        var modes: [PoolingMode] = []
        for (i, item) in names.enumerated() {
            let key = names.count == 1 && value.objectMembers == nil ? "pooling_mode" : "pooling_mode[\(i)]"
            let name = try reader.string(item, key: key)
            if name == "weightedmean" || name == "lasttoken" { throw unsupported(key, reader.file) }
            guard let mode = PoolingMode.allCases.first(where: { $0.modeName == name }), !modes.contains(mode) else {
                throw HuggingFaceConfigError(
                    file: reader.file, key: key,
                    message: "\"\(name)\" is not one of "
                        + PoolingMode.allCases.map { "\"\($0.modeName)\"" }.joined(separator: ", ")
                        + (modes.isEmpty ? "" : " or is repeated"))
            }
            modes.append(mode)
        }
        guard !modes.isEmpty else {
            throw HuggingFaceConfigError(file: reader.file, key: "pooling_mode", message: "an empty list")
        }
        return modes
    }

    static func unsupported(_ key: String, _ path: String) -> HuggingFaceConfigError {
        HuggingFaceConfigError(
            file: path, key: key,
            message: "this pooling mode is not supported (ddp-train pools with cls, max, mean, mean_sqrt_len_tokens)")
    }
}
