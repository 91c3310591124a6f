/// Why augmentation options were refused. Each case names the option by its field (and JSON
/// key), e.g. `swapRate`, so that the command line can print it under its own flag name.
public enum AugmentationOptionsError: Error, Equatable, CustomStringConvertible {
    /// A rate or probability outside [0, 1], or not a number.
    case rateOutOfRange(option: String, value: Double)
    /// The word-dropout replacement cannot stand for one word.
    case invalidToken(option: String, token: String, reason: String)

    /// The field that was refused.
    public var option: String {
        switch self {
        case .rateOutOfRange(let option, _), .invalidToken(let option, _, _): return option
        }
    }

    public var description: String {
        switch self {
        case .rateOutOfRange(let option, let value):
            return "augmentation option \(option) \(value): must be a number in [0, 1] (0 turns it off)"
        case .invalidToken(let option, let token, let reason):
            return "augmentation option \(option) \"\(token)\": \(reason); use a special token such as [UNK] or [MASK]"
        }
    }
}
