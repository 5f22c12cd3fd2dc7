

/// A torch storage named by a pickle's persistent id: `count` elements of `type` in the zip
/// entry `<archive>/data/<key>`.
struct StorageRef {
    let key: String
    /// nil for an element type that cannot be decoded (`typeName` says which).
    let type: ScalarType?
    let typeName: String
    let count: Int
    /// The device it was saved from ("cpu", "cuda:0"); read onto the CPU whatever it names.
    var location = "cpu"
}

/// A strided view into a storage, as `torch._utils._rebuild_tensor_v2` describes a tensor.
/// The unpickler only builds views whose every element lies inside the storage.
struct TensorView {
    let storage: StorageRef
    let offset: Int
    let shape: [Int]
    let strides: [Int]

    /// Number of elements (checked not to overflow when the view was built).
    var count: Int { shape.reduce(1, *) }

    /// True when the elements are consecutive in the storage, in row-major order.
    var isContiguous: Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() where size != 1 {
            if stride != expected { return count == 0 }
            expected *= size
        }
        return true
    }
}

/// What the restricted unpickler builds: plain data, storages and tensor views.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    case global(PickleGlobal)
    case storage(StorageRef)
    case tensor(TensorView)
    /// An instance of an allow-listed plain-data class (argparse.Namespace), named; its state
    /// is dropped: nothing of it is needed to load a generator.
    case record(String)

    /// Nesting depth: 0 for a scalar, 1 for an empty container.
    var depth: Int {
        if case .tuple(_, let depth) = self { return depth }
        return container?.depth ?? 0
    }

    var container: PickleContainer? {
        switch self {
        case .list(let c): return c
        case .dict(let c): return c
        default: return nil
        }
    }
}

/// Lists and dicts are shared through the memo and filled after creation, hence classes.
/// Once nested in another value a container is sealed: pickles of checkpoints never change it
/// afterwards, and refusing to do so rules out cycles and keeps `depth` exact.
class PickleContainer {
    var depth = 1
    var isSealed = false
}

final class PickleList: PickleContainer {
    var items: [PickleValue] = []
}

final class PickleDict: PickleContainer {
    var entries: [(key: PickleValue, value: PickleValue)] = []
}

/// One of the few globals a checkpoint pickle may name. Naming one only selects what to build.
struct PickleGlobal {
    enum Kind {
        case orderedDict, rebuildTensor, rebuildParameter
        /// nil: a storage type whose tensors cannot be decoded (refused when one is needed).
        case storageType(ScalarType?)
        /// argparse.Namespace: may be instantiated empty by NEWOBJ, never called.
        case record
    }
    let name: String
    let kind: Kind
}
