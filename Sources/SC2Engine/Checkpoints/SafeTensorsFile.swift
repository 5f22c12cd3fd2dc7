import Foundation
import Tensor

/// A validated safetensors file whose tensors are decoded on demand from the mapped bytes.
package struct SafeTensorsFile {
    static let format = "safetensors"
    /// Larger headers are refused as absurd (a header of 100 MB would describe millions of tensors).
    static let maxHeaderBytes = 100_000_000

    struct Entry {
        let type: ScalarType
        let shape: [Int]
        /// Byte range in the file (not in the data section).
        let bytes: Range<Int>
    }

    let file: MappedFile
    let entries: [String: Entry]
    let metadata: [String: String]

    /// Validates the whole header: every later read stays inside the file.
    package init(_ file: MappedFile) throws {
        self.file = file
        let bytes = file.bytes
        func fail(_ why: String) -> SC2Error { SC2Error("\(file.path): \(why)") }

        guard bytes.count >= 8 else {
            throw fail(bytes.isEmpty ? "file is empty" : "file is only \(bytes.count) bytes, too short for a safetensors header")
        }
        let declared = bytes.littleEndian(UInt64.self, at: 0)!
        guard declared <= UInt64(Self.maxHeaderBytes) else {
            throw fail("header length \(declared) is absurd (over 100 MB); not a safetensors file?")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw fail("header length \(headerLength) is larger than the \(bytes.count - 8) bytes that follow it (truncated file?)")
        }
        let headerBytes = bytes.slice(8..<8 + headerLength)!
        guard String(validating: headerBytes, as: UTF8.self) != nil else { throw fail("header is not UTF-8 text") }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(headerBytes))
        } catch {
            throw fail("header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw fail("header is not a JSON object") }

        let dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        // A truncated file is the common case: say so once, with the sizes, rather than naming
        // whichever tensor the loop below happens to reach first.
        let needed = header.values.compactMap { (($0 as? [String: Any])?["data_offsets"] as? [Int])?.last }.max() ?? 0
        if needed > dataSize {
            throw fail("truncated file: its tensors need \(needed) bytes of data, only \(dataSize) follow the header")
        }
        for (name, value) in header.sorted(by: { $0.key < $1.key }) {
            if name == "__metadata__" {
                guard let map = value as? [String: Any], let strings = map as? [String: String] else {
                    throw fail("__metadata__ is not a map from strings to strings")
                }
                metadata = strings
                continue
            }
            let entry = try Self.entry(name.quotedForMessage, value, dataSize: dataSize, fail: fail)
            entries[name] = Entry(type: entry.type, shape: entry.shape, bytes: entry.bytes.lowerBound + dataStart ..< entry.bytes.upperBound + dataStart)
        }

        // The tensors must tile the data section exactly, in order of their offsets.
        var end = dataStart
        for (name, entry) in entries.sorted(by: { ($0.value.bytes.lowerBound, $0.value.bytes.upperBound, $0.key) < ($1.value.bytes.lowerBound, $1.value.bytes.upperBound, $1.key) }) {
            if entry.bytes.lowerBound < end { throw fail("tensor \(name.quotedForMessage): data_offsets overlap another tensor's bytes") }
            if entry.bytes.lowerBound > end { throw fail("tensor \(name.quotedForMessage): data_offsets leave a gap of \(entry.bytes.lowerBound - end) unused bytes before it") }
            end = entry.bytes.upperBound
        }
        guard end == bytes.count else { throw fail("\(bytes.count - end) bytes at the end of the data section belong to no tensor") }
        self.entries = entries
        self.metadata = metadata
    }

    /// One header entry, with its byte range relative to the data section.
    private static func entry(_ name: String, _ value: Any, dataSize: Int, fail: (String) -> SC2Error) throws -> Entry {
        guard let info = value as? [String: Any] else { throw fail("tensor \(name): header entry is not a JSON object") }
        guard let dtype = info["dtype"] as? String else { throw fail("tensor \(name): header entry has no dtype") }
        guard let type = scalarType(dtype) else {
            throw fail("tensor \(name) has unsupported dtype \(dtype.quotedForMessage) (F32, F16, BF16, F64, I32 and I64 can be read)")
        }
        guard let shape = info["shape"] as? [Int] else { throw fail("tensor \(name): shape is not a list of integers") }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor \(name): negative dimension in shape \(shape)") }
        guard let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
            throw fail("tensor \(name): data_offsets is not a pair of integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end else { throw fail("tensor \(name): data_offsets [\(begin), \(end)] are not in increasing order") }
        guard end <= dataSize else {
            throw fail("tensor \(name): data_offsets [\(begin), \(end)] are out of range: the data section has \(dataSize) bytes (truncated file?)")
        }
        var byteCount = type.byteSize
        for d in shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail("tensor \(name): shape \(shape) is impossibly large") }
            byteCount = product
        }
        guard byteCount == end - begin else {
            throw fail("tensor \(name): shape \(shape) of \(dtype) needs \(byteCount) bytes but data_offsets [\(begin), \(end)] span \(end - begin)")
        }
        return Entry(type: type, shape: shape, bytes: begin..<end)
    }

    private static func scalarType(_ dtype: String) -> ScalarType? {
        switch dtype {
        case "F64": return .float64
        case "F32": return .float32
        case "F16": return .float16
        case "BF16": return .bfloat16
        case "I32": return .int32
        case "I64": return .int64
        default: return nil
        }
    }

    package var names: [String] { Array(entries.keys) }

    /// The named tensor, decoded to Float. `name` must be one of `names`.
    package func tensor(_ name: String) -> Tensor {
        let entry = entries[name]!
        return Tensor(shape: entry.shape, data: entry.type.decode(file.bytes.slice(entry.bytes)!))
    }
}
