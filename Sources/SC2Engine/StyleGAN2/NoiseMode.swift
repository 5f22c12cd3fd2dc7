import Foundation
import Tensor

public enum NoiseMode: String, CaseIterable, Sendable, Codable {
    case const, random, none
}
