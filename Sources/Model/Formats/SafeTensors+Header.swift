import JSON

/// Validation of the header's entries: metadata, each tensor's entry, no overlapping data.
extension SafeTensorsFile {
    static func parseMetadata(_ value: JSONValue, fail: (String, String?) -> SafeTensorsError)
        throws(SafeTensorsError) -> [String: String]
    {
        guard case .object(let members) = value else {
            throw fail("__metadata__ is a JSON \(value.typeName), expected an object of strings", nil)
        }
        var metadata: [String: String] = [:]
        for member in members {
            guard case .string(let text) = member.value else {
                throw fail(
                    "__metadata__[\"\(member.key)\"] is a JSON \(member.value.typeName) (\(member.value.excerpt())), "
                        + "expected a string",
                    nil)
            }
            metadata[member.key] = text
        }
        return metadata
    }

    static func parseEntry(
        _ member: JSONMember, bufferSize: Int, fail report: (String, String?) -> SafeTensorsError
    ) throws(SafeTensorsError) -> SafeTensorInfo {
        let name = member.key
        func fail(_ message: String) -> SafeTensorsError { report(message, name) }
        guard case .object = member.value else {
            throw fail(
                "the entry is a JSON \(member.value.typeName) (\(member.value.excerpt())), expected an object with "
                    + "dtype, shape and data_offsets"
            )
        }

        guard let dtypeValue = member.value["dtype"] else { throw fail("the entry has no \"dtype\"") }
        guard case .string(let dtypeName) = dtypeValue else {
            throw fail(
                "dtype is a JSON \(dtypeValue.typeName) (\(dtypeValue.excerpt())), expected a string such as \"F32\"")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("unknown dtype \"\(dtypeName)\" (known: \(known))")
        }

        guard let shapeValue = member.value["shape"] else { throw fail("the entry has no \"shape\"") }
        guard case .array(let dimensionValues) = shapeValue else {
            throw fail(
                "shape is a JSON \(shapeValue.typeName) (\(shapeValue.excerpt())), expected an array of non-negative "
                    + "integers"
            )
        }
        var shape: [Int] = []
        for (axis, value) in dimensionValues.enumerated() {
            guard let dimension = value.integerValue, dimension >= 0 else {
                throw fail("shape[\(axis)] is \(value.excerpt()), expected a non-negative integer that fits in 64 bits")
            }
            shape.append(dimension)
        }

        guard let offsetsValue = member.value["data_offsets"] else { throw fail("the entry has no \"data_offsets\"") }
        guard case .array(let offsetValues) = offsetsValue, offsetValues.count == 2 else {
            throw fail("data_offsets is \(offsetsValue.excerpt()), expected an array of two integers [begin, end]")
        }
        guard let begin = offsetValues[0].integerValue, let end = offsetValues[1].integerValue, begin >= 0, end >= 0
        else {
            throw fail("data_offsets is \(offsetsValue.excerpt()), expected two non-negative integers [begin, end]")
        }
        guard begin <= end else {
            throw fail("data_offsets [\(begin), \(end)] begin after they end")
        }
        guard end <= bufferSize else {
            throw fail(
                "data_offsets [\(begin), \(end)] run past the end of the data buffer (\(bufferSize) bytes; truncated "
                    + "file?)"
            )
        }

        var elementCount = 1
        for dimension in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw fail("shape \(shape) has more elements than fit in 64 bits") }
            elementCount = product
        }
        let (bits, overflow) = elementCount.multipliedReportingOverflow(by: dtype.bitWidth)
        guard !overflow else { throw fail("shape \(shape) of \(dtype.rawValue) needs more bytes than fit in 64 bits") }
        guard bits % 8 == 0 else {
            throw fail("shape \(shape) of \(dtype.rawValue) packs \(bits) bits, not a whole number of bytes")
        }
        guard bits / 8 == end - begin else {
            throw fail(
                "data_offsets [\(begin), \(end)] hold \(end - begin) bytes, but shape \(shape) of \(dtype.rawValue) "
                    + "needs \(bits / 8)"
            )
        }
        return SafeTensorInfo(
            name: name, dtype: dtype, shape: shape, elementCount: elementCount, dataOffsets: begin..<end)
    }

    /// Sweeps the ranges in begin order; empty ranges hold no bytes and overlap nothing.
    static func checkNoOverlap(_ tensors: [SafeTensorInfo], fail: (String, String?) -> SafeTensorsError)
        throws(SafeTensorsError)
    {
        let byBegin = tensors.filter { !$0.dataOffsets.isEmpty }.sorted {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < (
                $1.dataOffsets.lowerBound, $1.dataOffsets.upperBound
            )
        }
        var furthest: SafeTensorInfo?
        for tensor in byBegin {
            if let previous = furthest, tensor.dataOffsets.lowerBound < previous.dataOffsets.upperBound {
                throw fail(
                    "data_offsets [\(tensor.dataOffsets.lowerBound), \(tensor.dataOffsets.upperBound)] overlap those "
                        + "of tensor \"\(previous.name)\" [\(previous.dataOffsets.lowerBound), "
                        + "\(previous.dataOffsets.upperBound)]",
                    tensor.name)
            }
            if furthest == nil || tensor.dataOffsets.upperBound > furthest!.dataOffsets.upperBound { furthest = tensor }
        }
    }
}

/// IEEE 754 binary16 → binary32, exact for every input (NaN payloads kept).
@inline(__always)
func floatFromHalfBits(_ bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x3FF)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa × 2⁻²⁴, exact in Float.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 0x1F:
        return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    default:
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
}
