/// The element types a safetensors header may name, spelled as the format spells them.
///
/// Every type is known so that a file holding, say, an `I64` buffer or `F8_E4M3` weights
/// still validates; only `F32`, `F16` and `BF16` can be read as `Float`, and `I64` as
/// `Int64` (see `SafeTensorsFile`).
public enum SafeTensorsDType: String, CaseIterable, Sendable {
    case bool = "BOOL"
    case u8 = "U8"
    case i8 = "I8"
    case f8E5M2 = "F8_E5M2"
    case f8E4M3 = "F8_E4M3"
    case f8E8M0 = "F8_E8M0"
    case i16 = "I16"
    case u16 = "U16"
    case f16 = "F16"
    case bf16 = "BF16"
    case i32 = "I32"
    case u32 = "U32"
    case f32 = "F32"
    case c64 = "C64"
    case f64 = "F64"
    case i64 = "I64"
    case u64 = "U64"
    /// Packed sub-byte floats: a tensor's bit count must be a whole number of bytes.
    case f4 = "F4"
    case f6E2M3 = "F6_E2M3"
    case f6E3M2 = "F6_E3M2"

    /// Bits per element (sub-byte types pack several elements per byte).
    public var bitWidth: Int {
        switch self {
        case .f4: 4
        case .f6E2M3, .f6E3M2: 6
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0: 8
        case .i16, .u16, .f16, .bf16: 16
        case .i32, .u32, .f32: 32
        case .c64, .f64, .i64, .u64: 64
        }
    }

    /// Whether `SafeTensorsFile` can convert this type to `Float`.
    public var isReadableAsFloat: Bool { self == .f32 || self == .f16 || self == .bf16 }
}
