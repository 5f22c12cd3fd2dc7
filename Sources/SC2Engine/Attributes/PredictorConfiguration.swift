import Foundation

/// How a torchvision ResNet's images are prepared and its outputs read (docs/PREDICTORS.md):
/// attribute names, input size, resize mode, optional mean/std normalisation, head layout and
/// domain. Stated in a .safetensors file's metadata, or in a sidecar JSON `<file>.json`.
public struct PredictorConfiguration: Sendable, Equatable {
    public enum ResizeMode: Sendable, Equatable {
        /// torch's mode="bilinear" (no antialiasing), with or without align_corners.
        case bilinear(alignCorners: Bool)
        /// torch's mode="area" (adaptive average pooling).
        case area
    }

    public enum Head: Sendable, Equatable {
        /// One logit per attribute, p = sigmoid(logit).
        case sigmoid
        /// Two logits per attribute (absent, present), p = softmax(pair)[1].
        case softmaxPairs
        /// Consecutive groups of logits, one per attribute, softmax within each group (a group
        /// of one is a sigmoid). Sizes in logit order; they sum to the attribute count.
        case softmaxGroups([Int])

        /// Logits the fc layer must have for `attributes` outputs.
        func logits(attributes: Int) -> Int { self == .softmaxPairs ? 2 * attributes : attributes }

        var name: String {
            switch self {
            case .sigmoid: return "sigmoid"
            case .softmaxPairs: return "softmax-pairs"
            case .softmaxGroups: return "softmax-groups"
            }
        }
    }

    /// Per-channel normalisation of x01 = (x + 1) / 2: (x01 - mean) / std.
    public struct Normalization: Sendable, Equatable {
        public var mean: [Float]
        public var std: [Float]
        public init(mean: [Float], std: [Float]) { self.mean = mean; self.std = std }
        /// torchvision's ImageNet statistics.
        public static let imageNet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    }

    public var attributes: [String]
    public var inputSize: Int
    public var resize: ResizeMode
    public var normalization: Normalization?
    public var head: Head
    public var domain: String?

    public init(attributes: [String], inputSize: Int, resize: ResizeMode = .bilinear(alignCorners: false),
                normalization: Normalization? = nil, head: Head = .sigmoid, domain: String? = nil) {
        self.attributes = attributes; self.inputSize = inputSize; self.resize = resize
        self.normalization = normalization; self.head = head; self.domain = domain
    }

    public enum Limits {
        public static let attributes = 1...1024
        public static let inputSize = 16...2048
        public static let nameLength = 1...200
    }

    /// The keys a sidecar may hold (anything else is refused there, catching typos).
    static let keys: Set<String> = ["kind", "attributes", "input_size", "resize", "align_corners", "mean", "std", "head", "groups", "domain"]
    public static let kind = "torchvision-resnet"

    /// The 40 CelebA attributes in CelebA's order.
    public static let celebA = [
        "5_o_Clock_Shadow", "Arched_Eyebrows", "Attractive", "Bags_Under_Eyes", "Bald", "Bangs", "Big_Lips", "Big_Nose",
        "Black_Hair", "Blond_Hair", "Blurry", "Brown_Hair", "Bushy_Eyebrows", "Chubby", "Double_Chin", "Eyeglasses",
        "Goatee", "Gray_Hair", "Heavy_Makeup", "High_Cheekbones", "Male", "Mouth_Slightly_Open", "Mustache", "Narrow_Eyes",
        "No_Beard", "Oval_Face", "Pale_Skin", "Pointy_Nose", "Receding_Hairline", "Rosy_Cheeks", "Sideburns", "Smiling",
        "Straight_Hair", "Wavy_Hair", "Wearing_Earrings", "Wearing_Hat", "Wearing_Lipstick", "Wearing_Necklace",
        "Wearing_Necktie", "Young",
    ]

    /// anycost-gan's attribute_predictor.pt: a resnet50 with 80 outputs, softmax per CelebA
    /// attribute pair (index 1 = present), input clamped to [-1, 1] and resized to 256 px
    /// bilinearly with align_corners=True, no normalisation.
    public static let anycost = PredictorConfiguration(attributes: celebA, inputSize: 256, resize: .bilinear(alignCorners: true),
                                                       normalization: nil, head: .softmaxPairs, domain: nil)

    // MARK: Reading

    /// From a sidecar JSON object (typed values: arrays, numbers, booleans). Unknown keys are refused.
    public init(json data: Data, source: String) throws {
        func fail(_ why: String) -> SC2Error { SC2Error("\(source): \(why)") }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch { throw fail("not valid JSON") }
        guard let dict = object as? [String: Any] else { throw fail("not a JSON object") }
        if let extra = dict.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw fail("unknown key \(extra.quotedForMessage) (known: \(Self.keys.sorted().joined(separator: ", ")))")
        }
        try self.init(fields: Fields(json: dict, fail: fail), fail: fail)
    }

    /// From safetensors metadata (string values: lists as JSON arrays or comma-separated, groups
    /// as a JSON array of arrays or "a,b;c,d"). Other metadata keys are ignored.
    public init(metadata: [String: String], source: String) throws {
        func fail(_ why: String) -> SC2Error { SC2Error("\(source): \(why)") }
        try self.init(fields: Fields(metadata: metadata, fail: fail), fail: fail)
    }

    /// True when `metadata` states a predictor configuration (it names its input size or kind).
    static func isStated(in metadata: [String: String]) -> Bool {
        metadata["input_size"] != nil || metadata["kind"] == kind
    }

    /// The values read from either source, before validation.
    private struct Fields {
        var kind: String?, attributes: [String]?, inputSize: Int?, resize: String?, alignCorners: Bool?
        var mean: [Float]?, std: [Float]?, head: String?, groups: [[String]]?, domain: String?

        init(json d: [String: Any], fail: (String) -> SC2Error) throws {
            func string(_ k: String) throws -> String? {
                guard let v = d[k] else { return nil }
                guard let s = v as? String else { throw fail("\(k) must be a string") }
                return s
            }
            func strings(_ v: Any, _ k: String) throws -> [String] {
                guard let a = v as? [Any], let s = a as? [String] else { throw fail("\(k) must be a list of strings") }
                return s
            }
            func numbers(_ k: String) throws -> [Float]? {
                guard let v = d[k] else { return nil }
                guard let a = v as? [Any], a.allSatisfy({ $0 is NSNumber }) else { throw fail("\(k) must be a list of numbers") }
                return a.map { Float(($0 as! NSNumber).doubleValue) }
            }
            kind = try string("kind")
            attributes = try d["attributes"].map { try strings($0, "attributes") }
            if let v = d["input_size"] {
                guard let n = v as? NSNumber, let i = Int(exactly: n.doubleValue) else {
                    throw fail("input_size must be an integer")
                }
                inputSize = i
            }
            resize = try string("resize")
            if let v = d["align_corners"] {
                guard let b = v as? Bool else { throw fail("align_corners must be true or false") }
                alignCorners = b
            }
            mean = try numbers("mean")
            std = try numbers("std")
            head = try string("head")
            if let v = d["groups"] {
                guard let a = v as? [Any] else { throw fail("groups must be a list of lists of attribute names") }
                groups = try a.map { try strings($0, "each of groups") }
            }
            domain = try string("domain")
        }

        init(metadata m: [String: String], fail: (String) -> SC2Error) throws {
            func list(_ k: String) throws -> [String]? {
                guard let v = m[k]?.trimmingCharacters(in: .whitespaces) else { return nil }
                if v.hasPrefix("[") {
                    guard let a = try? JSONSerialization.jsonObject(with: Data(v.utf8)) as? [Any], let s = a as? [String] else {
                        throw fail("metadata \(k.quotedForMessage) must be a JSON list of strings or a comma-separated list")
                    }
                    return s
                }
                return v.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            }
            func numbers(_ k: String) throws -> [Float]? {
                guard var v = m[k]?.trimmingCharacters(in: .whitespaces) else { return nil }
                if v.hasPrefix("["), v.hasSuffix("]") { v = String(v.dropFirst().dropLast()) }
                return try v.split(separator: ",", omittingEmptySubsequences: false).map {
                    guard let f = Float($0.trimmingCharacters(in: .whitespaces)) else {
                        throw fail("metadata \(k.quotedForMessage) must be a list of numbers, got \((m[k] ?? "").quotedForMessage)")
                    }
                    return f
                }
            }
            kind = m["kind"]
            if let v = m["input_size"] {
                guard let i = Int(v.trimmingCharacters(in: .whitespaces)) else { throw fail("metadata 'input_size' must be an integer, got \(v.quotedForMessage)") }
                inputSize = i
            }
            resize = m["resize"]
            if let v = m["align_corners"] {
                switch v.lowercased() {
                case "true", "1": alignCorners = true
                case "false", "0": alignCorners = false
                default: throw fail("metadata 'align_corners' must be true or false, got \(v.quotedForMessage)")
                }
            }
            head = m["head"]
            domain = m["domain"]
            if let v = m["groups"]?.trimmingCharacters(in: .whitespaces) {
                if v.hasPrefix("[") {
                    guard let a = try? JSONSerialization.jsonObject(with: Data(v.utf8)) as? [Any], let g = a as? [[String]] else {
                        throw fail("metadata 'groups' must be a JSON list of lists of names, or \"a,b;c,d\"")
                    }
                    groups = g
                } else {
                    groups = v.split(separator: ";", omittingEmptySubsequences: false).map {
                        $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
                    }
                }
            }
            mean = try numbers("mean")
            std = try numbers("std")
            attributes = try list("attributes")
        }
    }

    private init(fields f: Fields, fail: (String) -> SC2Error) throws {
        if let k = f.kind, k != Self.kind { throw fail("kind \(k.quotedForMessage) is not \(Self.kind.quotedForMessage)") }
        switch f.head ?? "sigmoid" {
        case "sigmoid": head = .sigmoid
        case "softmax-pairs": head = .softmaxPairs
        case "softmax-groups":
            guard let groups = f.groups, !groups.isEmpty else { throw fail("head 'softmax-groups' needs groups (lists of attribute names, in logit order)") }
            head = .softmaxGroups(groups.map(\.count))
        case let other:
            throw fail("unknown head layout \(other.quotedForMessage) (sigmoid, softmax-pairs or softmax-groups)")
        }
        if f.groups != nil, f.head != "softmax-groups" { throw fail("groups is only read with head 'softmax-groups'") }
        var names = f.attributes
        if let groups = f.groups {
            if groups.contains(where: \.isEmpty) { throw fail("groups holds an empty group") }
            let flat = groups.flatMap { $0 }
            if let names, names != flat { throw fail("attributes and groups disagree: attributes must be the groups' names in order") }
            names = flat
        }
        guard let names else { throw fail("no attributes: name the outputs (attributes)") }
        guard Limits.attributes.contains(names.count) else {
            throw fail("names \(names.count) attributes; a predictor has \(Limits.attributes.lowerBound)-\(Limits.attributes.upperBound)")
        }
        guard names.allSatisfy({ Limits.nameLength.contains($0.count) }), Set(names).count == names.count else {
            throw fail("attributes must name each output once, with 1-\(Limits.nameLength.upperBound) characters each")
        }
        attributes = names
        guard let size = f.inputSize else { throw fail("no input_size: the side (px) of the images the predictor reads") }
        guard Limits.inputSize.contains(size) else {
            throw fail("input_size \(size) is out of range (\(Limits.inputSize.lowerBound)-\(Limits.inputSize.upperBound))")
        }
        inputSize = size
        switch f.resize ?? "bilinear" {
        case "bilinear": resize = .bilinear(alignCorners: f.alignCorners ?? false)
        case "area":
            guard f.alignCorners == nil else { throw fail("align_corners is only read with resize 'bilinear'") }
            resize = .area
        case let other: throw fail("unknown resize mode \(other.quotedForMessage) (bilinear or area)")
        }
        switch (f.mean, f.std) {
        case (nil, nil): normalization = nil
        case (let m?, let s?):
            guard m.count == 3, s.count == 3, (m + s).allSatisfy(\.isFinite), s.allSatisfy({ $0 > 0 }) else {
                throw fail("mean and std must be 3 finite numbers each, std positive")
            }
            normalization = Normalization(mean: m, std: s)
        default: throw fail("mean and std go together: give both or neither")
        }
        domain = f.domain.flatMap { $0.isEmpty ? nil : $0 }
    }
}
