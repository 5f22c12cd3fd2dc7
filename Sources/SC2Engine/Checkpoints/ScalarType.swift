/// The element types a checkpoint may store, all decoded to Float (int32, int64: indices, seeds,
/// counters such as batch norm's num_batches_tracked; exact below 2^24). Stored values are little-endian in safetensors and torch zips.
enum ScalarType: Sendable {
    case float64, float32, float16, bfloat16, int32, int64

    var byteSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16: return 2
        }
    }

    /// Element `index` of a little-endian array starting at `base`, as Float.
    func load(_ base: UnsafeRawPointer, _ index: Int) -> Float {
        switch self {
        case .float64:
            return Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))))
        case .float32:
            return Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
        case .int32:
            return Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * index, as: Int32.self)))
        case .int64:
            return Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * index, as: Int64.self)))
        case .float16:
            return Self.halfToFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
        case .bfloat16:
            // bfloat16 is the top half of a float32.
            return Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))) << 16)
        }
    }

    /// Decodes a little-endian array that fills `bytes` (a whole number of elements).
    func decode(_ bytes: UnsafeRawBufferPointer) -> [Float] {
        let count = bytes.count / byteSize
        guard count > 0, let base = bytes.baseAddress else { return [] }
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch self {
            case .float32:
                // Little-endian hosts only (x86-64, arm64): the bytes are the floats already.
                UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(start: base, count: 4 * count))
            case .float64, .float16, .bfloat16, .int32, .int64:
                for i in 0..<count { out[i] = load(base, i) }
            }
            initialized = count
        }
    }

    /// IEEE 754 binary16 to Float, written out so it works where Swift's Float16 is unavailable
    /// (x86-64 macOS). Every binary16 value, subnormals included, is exact in Float.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1f
        let mantissa = UInt32(h & 0x3ff)
        switch exponent {
        case 0:  // zero or subnormal: mantissa * 2^-24
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        case 0x1f:  // infinity or NaN
            return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13)
        default:  // rebias the exponent from 15 to 127
            return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
        }
    }
}
