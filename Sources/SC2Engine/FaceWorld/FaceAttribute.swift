/// The six labelled attributes of FaceWorld, in the fixed order used by datasets, the
/// classifier's outputs and the directions.
package enum FaceAttribute: String, CaseIterable, Codable, Sendable {
    case age          // 1 = old: grey/white hair, wrinkles
    case eyeglasses
    case lipstick
    case longHair = "long_hair"
    case smile
    case beard

    package var index: Int { FaceAttribute.allCases.firstIndex(of: self)! }

    /// Human label for the positive value.
    package var positiveLabel: String {
        switch self {
        case .age: return "old"
        case .eyeglasses: return "eyeglasses"
        case .lipstick: return "lipstick"
        case .longHair: return "long hair"
        case .smile: return "smiling"
        case .beard: return "beard"
        }
    }

    /// Accepts the raw name and a few friendly spellings ("long-hair", "glasses", "old").
    package init?(name: String) {
        let n = name.lowercased().replacingOccurrences(of: "-", with: "_")
        switch n {
        case "age", "old", "older": self = .age
        case "eyeglasses", "glasses": self = .eyeglasses
        case "lipstick": self = .lipstick
        case "long_hair", "longhair", "hair": self = .longHair
        case "smile", "smiling": self = .smile
        case "beard": self = .beard
        default: return nil
        }
    }

    package static var namesList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
