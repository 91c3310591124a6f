/// How often gradual unfreezing opens one more layer: every N optimizer steps, or every
/// epoch. Written `N` or `epoch` on the command line and in `--config` files.
public enum UnfreezeInterval: Equatable, Sendable, Codable, LosslessStringConvertible {
    case steps(Int)
    case epoch

    /// `epoch`, or a whole number of steps ≥ 1; nil for anything else.
    public init?(_ text: String) {
        if text == "epoch" {
            self = .epoch
        } else if let steps = Int(text), steps >= 1 {
            self = .steps(steps)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .steps(let n): String(n)
        case .epoch: "epoch"
        }
    }

    /// The interval in optimizer steps.
    public func steps(batchesPerEpoch: Int) -> Int {
        switch self {
        case .steps(let n): n
        case .epoch: batchesPerEpoch
        }
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = UnfreezeInterval(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected a step count (≥ 1) or \"epoch\""))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
