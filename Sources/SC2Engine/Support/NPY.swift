import Foundation

/// Minimal NumPy .npy (format 1.0) writer and reader for uint8 and little-endian float32 arrays.
package enum NPY {
    static func header(descr: String, shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + dict.utf8.count + 1
        dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var d = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let len = UInt16(dict.utf8.count)
        d.append(contentsOf: [UInt8(len & 0xff), UInt8(len >> 8)])
        d.append(contentsOf: Array(dict.utf8))
        return d
    }

    package static func encode(uint8 values: [UInt8], shape: [Int]) -> Data {
        var d = header(descr: "|u1", shape: shape)
        d.append(contentsOf: values)
        return d
    }

    package static func encode(float32 values: [Float], shape: [Int]) -> Data {
        var d = header(descr: "<f4", shape: shape)
        values.withUnsafeBytes { d.append(contentsOf: $0) }
        return d
    }

    /// A numeric array read from a .npy file or an .npz member, as Float.
    package struct NumPyArray: Equatable, Sendable {
        package var shape: [Int]
        package var values: [Float]
        /// The stored dtype, as numpy spells it ("<f4", "|u1", ...).
        package var descr: String
    }

    /// Largest array a reader accepts, in elements, unless told otherwise (a 1024 x 18 x 512 W+
    /// batch is 9.4 M).
    package static let defaultMaxElements = 1 << 28

    /// Reads a .npy file strictly: format 1.0, 2.0 or 3.0; a header that is exactly numpy's dict
    /// (descr, fortran_order, shape); little-endian float16/32/64, (u)int8/16/32/64 or bool; C
    /// order; data exactly the size the shape needs. Object arrays (pickles) are refused.
    package static func read(_ url: URL, maxElements: Int = defaultMaxElements) throws -> NumPyArray {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SC2Error("\(url.path): cannot read file")
        }
        return try data.withUnsafeBytes { try decode($0, name: url.path, maxElements: maxElements) }
    }

    /// Reads every array of an .npz archive (np.savez or np.savez_compressed), by name without
    /// ".npy". Members that are not .npy files are refused.
    package static func readArchive(_ url: URL, maxElements: Int = defaultMaxElements) throws -> [String: NumPyArray] {
        try readArchive(MappedFile(url), maxElements: maxElements)
    }

    package static func readArchive(_ file: MappedFile, maxElements: Int = defaultMaxElements) throws -> [String: NumPyArray] {
        let zip = try ZipArchive(file)
        guard !zip.entries.isEmpty else { throw SC2Error("\(file.path): .npz archive holds no arrays") }
        var out: [String: NumPyArray] = [:]
        for name in zip.entries.keys.sorted() {
            guard name.hasSuffix(".npy"), name.count > 4 else {
                throw SC2Error("\(file.path): .npz member \(name.quotedForMessage) is not a .npy array")
            }
            // A member's bytes: its header (at most 1 MB) and at most 8 bytes an element.
            var limit = ByteCount()
            limit.add(1 << 20); limit.add(maxElements, 8)
            let bytes = try zip.data(name, limit: limit.value)!
            out[String(name.dropLast(4))] = try bytes.withUnsafeBytes {
                try decode($0, name: "\(file.path): member \(name.quotedForMessage)", maxElements: maxElements)
            }
        }
        return out
    }

    /// The strict .npy decoder behind `read` (see there); `name` prefixes every error.
    package static func decode(_ bytes: UnsafeRawBufferPointer, name: String, maxElements: Int = defaultMaxElements) throws -> NumPyArray {
        func fail(_ why: String) -> SC2Error { SC2Error("\(name): \(why)") }
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10, bytes.prefix(6).elementsEqual(magic) else { throw fail("not a .npy file (no \\x93NUMPY signature)") }
        let major = bytes[6], minor = bytes[7]
        guard (1...3).contains(major), minor == 0 else { throw fail(".npy format version \(major).\(minor) is not 1.0, 2.0 or 3.0") }
        let headerLength: Int, start: Int
        if major == 1 {
            headerLength = Int(bytes.littleEndian(UInt16.self, at: 8)!); start = 10
        } else {
            guard let length = bytes.littleEndian(UInt32.self, at: 8) else { throw fail("truncated .npy header") }
            headerLength = Int(length); start = 12
        }
        guard headerLength <= 1 << 20 else { throw fail(".npy header of \(headerLength) bytes is absurd") }
        guard let headerBytes = bytes.slice(start ..< start + headerLength) else { throw fail("truncated .npy header") }
        guard let text = major == 3 ? String(validating: headerBytes, as: UTF8.self)
                                    : (headerBytes.allSatisfy { $0 < 0x80 } ? String(decoding: headerBytes, as: UTF8.self) : nil) else {
            throw fail(".npy header is not \(major == 3 ? "UTF-8" : "ASCII") text")
        }
        var parser = HeaderParser(text, fail: fail)
        let header = try parser.parse()
        guard let descr = header["descr"], case .string(let type) = descr else { throw fail(".npy header has no 'descr' string") }
        guard let order = header["fortran_order"], case .bool(let fortran) = order else { throw fail(".npy header has no 'fortran_order' flag") }
        guard let shapeValue = header["shape"], case .tuple(let shape) = shapeValue else { throw fail(".npy header has no 'shape' tuple") }
        guard header.count == 3 else { throw fail(".npy header has keys other than descr, fortran_order and shape") }
        guard !fortran else { throw fail("array is in Fortran order; save it with np.ascontiguousarray first") }
        if type.contains("O") { throw fail("holds Python objects (a pickled object array), which are refused") }
        guard let scalar = Scalar(descr: type) else {
            throw fail("dtype \(type.quotedForMessage) is not supported (little-endian float16/32/64, (u)int8/16/32/64, bool)")
        }
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow, product <= maxElements else {
                throw fail("shape \(shape) holds more than the \(maxElements) elements allowed")
            }
            count = product
        }
        let body = bytes.count - start - headerLength
        guard body == count * scalar.size else {
            throw fail("shape \(shape) of \(type) needs \(count * scalar.size) bytes of data, the file has \(body)\(body < count * scalar.size ? " (truncated?)" : "")")
        }
        let data = bytes.slice(start + headerLength ..< bytes.count)!
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count { values[i] = scalar.load(data, i) }
        return NumPyArray(shape: shape, values: values, descr: type)
    }

    private enum Scalar {
        case f2, f4, f8, u1, i1, u2, i2, u4, i4, u8, i8, bool

        init?(descr: String) {
            switch descr {
            case "<f2": self = .f2
            case "<f4": self = .f4
            case "<f8": self = .f8
            case "|u1", "<u1": self = .u1
            case "|i1", "<i1": self = .i1
            case "<u2": self = .u2
            case "<i2": self = .i2
            case "<u4": self = .u4
            case "<i4": self = .i4
            case "<u8": self = .u8
            case "<i8": self = .i8
            case "|b1": self = .bool
            default: return nil
            }
        }

        var size: Int {
            switch self {
            case .u1, .i1, .bool: return 1
            case .f2, .u2, .i2: return 2
            case .f4, .u4, .i4: return 4
            case .f8, .u8, .i8: return 8
            }
        }

        func load(_ data: UnsafeRawBufferPointer, _ i: Int) -> Float {
            let at = i * size
            switch self {
            case .u1: return Float(data[at])
            case .i1: return Float(Int8(bitPattern: data[at]))
            case .bool: return data[at] == 0 ? 0 : 1
            case .u2: return Float(data.littleEndian(UInt16.self, at: at)!)
            case .i2: return Float(data.littleEndian(Int16.self, at: at)!)
            case .u4: return Float(data.littleEndian(UInt32.self, at: at)!)
            case .i4: return Float(data.littleEndian(Int32.self, at: at)!)
            case .u8: return Float(data.littleEndian(UInt64.self, at: at)!)
            case .i8: return Float(data.littleEndian(Int64.self, at: at)!)
            case .f2: return Float(Float16(bitPattern: data.littleEndian(UInt16.self, at: at)!))
            case .f4: return Float(bitPattern: data.littleEndian(UInt32.self, at: at)!)
            case .f8: return Float(Double(bitPattern: data.littleEndian(UInt64.self, at: at)!))
            }
        }
    }

    /// The Python literal numpy writes as the header: a dict of string keys whose values are
    /// strings, True/False or tuples of non-negative integers. Nothing else is accepted.
    private struct HeaderParser {
        enum Value { case string(String), bool(Bool), tuple([Int]) }
        let chars: [Character]
        var i = 0
        let fail: (String) -> SC2Error

        init(_ text: String, fail: @escaping (String) -> SC2Error) { chars = Array(text); self.fail = fail }

        mutating func parse() throws -> [String: Value] {
            skipSpace()
            try expect("{")
            var out: [String: Value] = [:]
            while true {
                skipSpace()
                if peek == "}" { i += 1; break }
                let key = try string()
                skipSpace(); try expect(":"); skipSpace()
                guard out.updateValue(try value(), forKey: key) == nil else { throw fail(".npy header repeats the key \(key.quotedForMessage)") }
                skipSpace()
                if peek == "," { i += 1; continue }
                skipSpace(); try expect("}"); break
            }
            skipSpace()
            guard i == chars.count else { throw fail(".npy header has text after its dict") }
            return out
        }

        var peek: Character? { i < chars.count ? chars[i] : nil }
        mutating func skipSpace() { while let c = peek, c == " " || c == "\n" || c == "\t" { i += 1 } }
        mutating func expect(_ c: Character) throws {
            guard peek == c else { throw fail(".npy header is not the dict numpy writes (expected '\(c)' at character \(i))") }
            i += 1
        }
        mutating func string() throws -> String {
            guard let quote = peek, quote == "'" || quote == "\"" else { throw fail(".npy header is not the dict numpy writes (expected a string at character \(i))") }
            i += 1
            var s = ""
            while let c = peek, c != quote {
                guard c != "\\", s.count < 64 else { throw fail(".npy header holds an unusual string") }
                s.append(c); i += 1
            }
            try expect(quote)
            return s
        }
        mutating func value() throws -> Value {
            switch peek {
            case "'", "\"": return .string(try string())
            case "T", "F":
                for (word, flag) in [("True", true), ("False", false)] where chars[i...].starts(with: word) {
                    i += word.count
                    return .bool(flag)
                }
                throw fail(".npy header holds an unknown word at character \(i)")
            case "(":
                i += 1
                var dims: [Int] = []
                while true {
                    skipSpace()
                    if peek == ")" { i += 1; return .tuple(dims) }
                    var digits = ""
                    while let c = peek, c.isASCII, c.isNumber, digits.count < 19 { digits.append(c); i += 1 }
                    guard let d = Int(digits), dims.count < 32 else { throw fail(".npy header's shape is not a tuple of at most 32 integers") }
                    dims.append(d)
                    skipSpace()
                    if peek == "," { i += 1 } else if peek != ")" { throw fail(".npy header's shape is malformed") }
                }
            default:
                throw fail(".npy header is not the dict numpy writes (unexpected value at character \(i))")
            }
        }
    }
}
