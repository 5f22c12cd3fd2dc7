import Foundation
import Tensor

/// The methods the product compares, in display order.
public enum DirectionMethod: String, CaseIterable, Sendable, Codable {
    case original = "interfacegan"
    case conditional
    case corrected = "sc2"

    public var title: String {
        switch self {
        case .original: return "original"
        case .conditional: return "conditional"
        case .corrected: return "SC² corrected"
        }
    }
}
