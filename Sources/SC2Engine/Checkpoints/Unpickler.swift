

/// A restricted unpickler for the `data.pkl` of torch zip checkpoints. It implements only the
/// opcodes such files use (protocol 2, plus protocol 4's framing, STACK_GLOBAL, MEMOIZE and short
/// strings) and resolves only an allow-list of globals; any other global is refused when read. Nothing is ever called: the result
/// is a tree of `PickleValue`s, and every size, depth and index is bounded, so a hostile file
/// can neither run code nor crash or hang the process. The one class that may be instantiated
/// (NEWOBJ) is `argparse.Namespace`, the parsed arguments that rosinality's train.py saves beside
/// the networks: it becomes an inert `.record` whose state is read and dropped.
package struct Unpickler {
    static let maxDepth = 64
    static let maxMemo = 1 << 20

    private let bytes: UnsafeRawBufferPointer
    private let source: String
    /// Whether torch.LongStorage (int64) tensors may be rebuilt: a predictor's state dict holds
    /// batch norm counters in them; a generator checkpoint has no use for them.
    private let allowsInt64: Bool
    private var position = 0
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    /// Unpickles `bytes`; errors name `source` (the file) and the problem.
    static func load(_ bytes: UnsafeRawBufferPointer, source: String, allowsInt64: Bool = false) throws -> PickleValue {
        var unpickler = Unpickler(bytes: bytes, source: source, allowsInt64: allowsInt64)
        return try unpickler.run()
    }

    /// Unpickles `bytes` and drops the result: the fuzzing entry point (SC2Fuzzing), which needs
    /// only whether the reader accepts them.
    package static func check(_ bytes: UnsafeRawBufferPointer, source: String) throws {
        _ = try load(bytes, source: source)
    }

    private init(bytes: UnsafeRawBufferPointer, source: String, allowsInt64: Bool) {
        self.bytes = bytes
        self.source = source
        self.allowsInt64 = allowsInt64
    }

    private enum Opcode: UInt8 {
        case proto = 0x80, frame = 0x95, stop = 0x2e
        case mark = 0x28, emptyTuple = 0x29, emptyList = 0x5d, emptyDict = 0x7d
        case tuple = 0x74, tuple1 = 0x85, tuple2 = 0x86, tuple3 = 0x87
        case append = 0x61, appends = 0x65, setItem = 0x73, setItems = 0x75
        case none = 0x4e, newTrue = 0x88, newFalse = 0x89
        case binInt = 0x4a, binInt1 = 0x4b, binInt2 = 0x4d, long1 = 0x8a, binFloat = 0x47
        case binUnicode = 0x58, shortBinUnicode = 0x8c
        case binPut = 0x71, longBinPut = 0x72, memoize = 0x94, binGet = 0x68, longBinGet = 0x6a
        case global = 0x63, stackGlobal = 0x93, reduce = 0x52, newObj = 0x81, build = 0x62, binPersId = 0x51
    }

    private mutating func run() throws -> PickleValue {
        while true {
            let at = position
            let code = try read(1)[0]
            guard let op = Opcode(rawValue: code) else {
                throw fail("pickle uses unsupported opcode 0x\(String(code, radix: 16)) at byte \(at)")
            }
            switch op {
            case .proto:
                let version = try read(1)[0]
                guard version <= 5 else { throw fail("unknown pickle protocol \(version)") }
            case .frame: _ = try read(8)  // protocol 4 framing: a length we have no use for
            case .stop:
                guard let result = stack.popLast() else { throw fail("pickle stops with an empty stack") }
                return result
            case .mark: marks.append(stack.count)
            case .emptyTuple: stack.append(.tuple([], depth: 1))
            case .emptyList: stack.append(.list(PickleList()))
            case .emptyDict: stack.append(.dict(PickleDict()))
            // Each pop is its own statement: the stack is never changed while an argument is evaluated.
            case .tuple: let items = try popToMark(); stack.append(try tuple(items))
            case .tuple1: let items = try pop(1); stack.append(try tuple(items))
            case .tuple2: let items = try pop(2); stack.append(try tuple(items))
            case .tuple3: let items = try pop(3); stack.append(try tuple(items))
            case .append: let items = try pop(1); try append(items, to: top())
            case .appends: let items = try popToMark(); try append(items, to: top())
            case .setItem: let items = try pop(2); try setItems(items, in: top())
            case .setItems: let items = try popToMark(); try setItems(items, in: top())
            case .none: stack.append(.none)
            case .newTrue: stack.append(.bool(true))
            case .newFalse: stack.append(.bool(false))
            case .binInt: stack.append(.int(Int(Int32(bitPattern: try readUInt(UInt32.self)))))
            case .binInt1: stack.append(.int(Int(try readUInt(UInt8.self))))
            case .binInt2: stack.append(.int(Int(try readUInt(UInt16.self))))
            case .long1: stack.append(.int(try readLong()))
            case .binFloat: stack.append(.float(Double(bitPattern: UInt64(bigEndian: try read(8).loadUnaligned(as: UInt64.self)))))
            case .binUnicode: stack.append(.string(try readString(length: Int(readUInt(UInt32.self)))))
            case .shortBinUnicode: stack.append(.string(try readString(length: Int(readUInt(UInt8.self)))))
            case .binPut: try memoize(at: Int(readUInt(UInt8.self)))
            case .longBinPut: try memoize(at: Int(readUInt(UInt32.self)))
            case .memoize: try memoize(at: memo.count)
            case .binGet: try recall(Int(readUInt(UInt8.self)))
            case .longBinGet: try recall(Int(readUInt(UInt32.self)))
            case .global:
                let module = try readLine(), name = try readLine()
                stack.append(.global(try resolve(module: module, name: name)))
            case .stackGlobal:
                let names = try pop(2)
                guard case .string(let module) = names[0], case .string(let name) = names[1] else {
                    throw fail("pickle STACK_GLOBAL without two strings")
                }
                stack.append(.global(try resolve(module: module, name: name)))
            case .reduce:
                let callableAndArguments = try pop(2)
                guard case .global(let function) = callableAndArguments[0], case .tuple(let args, _) = callableAndArguments[1] else {
                    throw fail("pickle REDUCE without a global and an argument tuple")
                }
                stack.append(try call(function, args))
            case .newObj:
                let classAndArguments = try pop(2)
                guard case .global(let type) = classAndArguments[0], case .tuple(let args, _) = classAndArguments[1] else {
                    throw fail("pickle NEWOBJ without a class and an argument tuple")
                }
                guard case .record = type.kind else { throw fail("pickle instantiates \(type.name.quotedForMessage); only argparse.Namespace can be") }
                guard args.isEmpty else { throw fail("pickle instantiates \(type.name.quotedForMessage) with arguments") }
                stack.append(.record(type.name))
            case .build:
                // The state of an OrderedDict (a state dict's `_metadata`) or of a Namespace (the
                // training arguments) is not needed to load a generator: read and dropped.
                _ = try pop(1)
                switch try top() {
                case .dict, .record: break
                default: throw fail("pickle BUILDs an object that is not a dict or a Namespace")
                }
            case .binPersId: let pid = try pop(1)[0]; stack.append(.storage(try storage(pid)))
            }
        }
    }

    // MARK: Reading the byte stream

    private func fail(_ why: String) -> SC2Error { SC2Error("\(source): \(why)") }

    private mutating func read(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard let slice = bytes.slice(position ..< position + count) else { throw fail("pickle is truncated") }
        position += count
        return slice
    }

    private mutating func readUInt<T: FixedWidthInteger>(_: T.Type) throws -> T {
        T(littleEndian: try read(MemoryLayout<T>.size).loadUnaligned(as: T.self))
    }

    /// LONG1: a little-endian two's-complement integer of up to 255 bytes; we accept 64 bits.
    private mutating func readLong() throws -> Int {
        let raw = try read(Int(readUInt(UInt8.self)))
        guard raw.count <= 8 else { throw fail("pickle integer wider than 64 bits") }
        guard let last = raw.last else { return 0 }
        var value: UInt64 = last & 0x80 == 0 ? 0 : ~0  // sign extension
        for byte in raw.reversed() { value = value << 8 | UInt64(byte) }
        return Int(bitPattern: UInt(value))
    }

    /// Strings only name things here, so invalid UTF-8 is repaired rather than refused.
    private mutating func readString(length: Int) throws -> String {
        String(decoding: try read(length), as: UTF8.self)
    }

    /// A newline-terminated ASCII line of GLOBAL (a module or a name), at most 200 bytes.
    private mutating func readLine() throws -> String {
        let rest = bytes.count - position
        guard let end = (0..<min(rest, 200)).first(where: { bytes[position + $0] == 0x0a }) else {
            throw fail("pickle GLOBAL name is unterminated or too long")
        }
        let line = String(decoding: try read(end), as: UTF8.self)
        position += 1
        return line
    }

    // MARK: Stack and memo

    private mutating func pop(_ count: Int) throws -> [PickleValue] {
        guard stack.count - count >= (marks.last ?? 0) else { throw fail("pickle stack underflow at byte \(position)") }
        defer { stack.removeLast(count) }
        return Array(stack.suffix(count))
    }

    private mutating func popToMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("pickle uses a MARK that was never set") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private func top() throws -> PickleValue {
        guard stack.count > (marks.last ?? 0), let value = stack.last else { throw fail("pickle stack underflow at byte \(position)") }
        return value
    }

    private mutating func memoize(at index: Int) throws {
        guard memo.count < Self.maxMemo || memo[index] != nil else { throw fail("pickle memo exceeds \(Self.maxMemo) entries") }
        memo[index] = try top()
    }

    private mutating func recall(_ index: Int) throws {
        guard let value = memo[index] else { throw fail("pickle reads memo slot \(index) before writing it") }
        stack.append(value)
    }

    // MARK: Containers

    /// Seals `child`, now nested at `depth - 1` or below, and bounds the nesting.
    private func adopt(_ child: PickleValue, into depth: inout Int) throws {
        child.container?.isSealed = true
        depth = max(depth, child.depth + 1)
        guard depth <= Self.maxDepth else { throw fail("pickle nests deeper than \(Self.maxDepth) levels") }
    }

    private func tuple(_ items: [PickleValue]) throws -> PickleValue {
        var depth = 1
        for item in items { try adopt(item, into: &depth) }
        return .tuple(items, depth: depth)
    }

    private func append(_ items: [PickleValue], to target: PickleValue) throws {
        guard case .list(let list) = target else { throw fail("pickle APPENDs to something that is not a list") }
        var depth = list.depth  // not adopted in place: an item may be the list itself
        for item in items { try adopt(item, into: &depth) }
        guard !list.isSealed else { throw fail("pickle changes a list after nesting it (cyclic structure)") }
        list.depth = depth
        list.items += items
    }

    private func setItems(_ keysAndValues: [PickleValue], in target: PickleValue) throws {
        guard case .dict(let dict) = target else { throw fail("pickle SETITEMs on something that is not a dict") }
        guard keysAndValues.count % 2 == 0 else { throw fail("pickle SETITEMS with an odd number of items") }
        var depth = dict.depth  // not adopted in place: an item may be the dict itself
        for item in keysAndValues { try adopt(item, into: &depth) }
        guard !dict.isSealed else { throw fail("pickle changes a dict after nesting it (cyclic structure)") }
        dict.depth = depth
        for i in stride(from: 0, to: keysAndValues.count, by: 2) {
            dict.entries.append((keysAndValues[i], keysAndValues[i + 1]))
        }
    }

    // MARK: Globals, calls and storages

    /// The allow-list. Anything else is refused here, before it could be used.
    private func resolve(module: String, name: String) throws -> PickleGlobal {
        let full = "\(module).\(name)"
        let kind: PickleGlobal.Kind
        switch full {
        case "collections.OrderedDict": kind = .orderedDict
        case "torch._utils._rebuild_tensor_v2": kind = .rebuildTensor
        case "torch._utils._rebuild_parameter": kind = .rebuildParameter
        case "torch.FloatStorage": kind = .storageType(.float32)
        case "torch.HalfStorage": kind = .storageType(.float16)
        case "torch.BFloat16Storage": kind = .storageType(.bfloat16)
        case "torch.DoubleStorage": kind = .storageType(.float64)
        case "torch.LongStorage" where allowsInt64: kind = .storageType(.int64)
        case "argparse.Namespace": kind = .record
        default:
            // Other element types (an optimiser's integer step counter, say) are refused only
            // if a tensor of theirs is needed (TorchZipFile.tensor).
            if module == "torch", name.hasSuffix("Storage"), name.count <= 40, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                return PickleGlobal(name: full, kind: .storageType(nil))
            }
            throw fail("pickle refers to forbidden global \(full.quotedForMessage); refusing to load")
        }
        return PickleGlobal(name: full, kind: kind)
    }

    private func call(_ function: PickleGlobal, _ args: [PickleValue]) throws -> PickleValue {
        switch function.kind {
        case .orderedDict:
            guard args.isEmpty else { throw fail("pickle calls collections.OrderedDict with arguments") }
            return .dict(PickleDict())
        case .rebuildTensor:
            return .tensor(try rebuildTensor(args))
        case .rebuildParameter:
            guard args.count == 3, case .tensor(let view) = args[0] else { throw fail("pickle calls _rebuild_parameter with malformed arguments") }
            return .tensor(view)
        case .storageType, .record:
            throw fail("pickle calls \(function.name.quotedForMessage); only tensors are rebuilt")
        }
    }

    /// `_rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])`,
    /// checked so that every element of the view lies inside the storage.
    private func rebuildTensor(_ args: [PickleValue]) throws -> TensorView {
        guard args.count == 6 || args.count == 7, case .storage(let storage) = args[0], case .int(let offset) = args[1],
              let shape = integers(args[2]), let strides = integers(args[3]), shape.count == strides.count else {
            throw fail("pickle calls _rebuild_tensor_v2 with malformed arguments")
        }
        guard offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw fail("tensor view has a negative offset, size or stride")
        }
        var count = 1, last = offset, overflow = false
        for (size, stride) in zip(shape, strides) {
            var o1 = false, o2 = false, o3 = false
            (count, o1) = count.multipliedReportingOverflow(by: size)
            let span: Int
            (span, o2) = max(size - 1, 0).multipliedReportingOverflow(by: stride)
            (last, o3) = last.addingReportingOverflow(span)
            overflow = overflow || o1 || o2 || o3
        }
        guard !overflow, count == 0 || last < storage.count else {
            throw fail("tensor view (offset \(offset), size \(shape), stride \(strides)) reaches past its storage of \(storage.count) elements")
        }
        return TensorView(storage: storage, offset: offset, shape: shape, strides: strides)
    }

    private func integers(_ value: PickleValue) -> [Int]? {
        guard case .tuple(let items, _) = value else { return nil }
        var out: [Int] = []
        for item in items {
            guard case .int(let i) = item else { return nil }
            out.append(i)
        }
        return out
    }

    /// A persistent id `('storage', torch.<Type>Storage, key, location, numel)`.
    private func storage(_ pid: PickleValue) throws -> StorageRef {
        guard case .tuple(let items, _) = pid, items.count == 5, case .string("storage") = items[0],
              case .global(let type) = items[1], case .storageType(let scalar) = type.kind,
              case .string(let key) = items[2], case .int(let count) = items[4], count >= 0, count <= Int.max / 8 else {
            throw fail("pickle has a malformed persistent id (expected a torch storage)")
        }
        // The device the storage was saved from ('cpu', 'cuda:0', 'mps', ...): its bytes are in the
        // archive whatever it was, and are read onto the CPU (torch.load's map_location='cpu').
        guard case .string(let location) = items[3], Self.isDeviceName(location) else {
            throw fail("pickle names a storage location that is not a device name (expected 'cpu', 'cuda:0', ...)")
        }
        return StorageRef(key: key, type: scalar, typeName: type.name, count: count, location: location)
    }

    /// A torch device string: lowercase letters and underscores, optionally ':' and an index.
    static func isDeviceName(_ s: String) -> Bool {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard s.utf8.count <= 32, (1...2).contains(parts.count), !parts[0].isEmpty,
              parts[0].allSatisfy({ $0 == "_" || ("a"..."z").contains($0) }) else { return false }
        return parts.count == 1 || (!parts[1].isEmpty && parts[1].count <= 4 && parts[1].allSatisfy { $0.isASCII && $0.isNumber })
    }
}
