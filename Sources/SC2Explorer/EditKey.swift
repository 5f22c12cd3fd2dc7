import Foundation
import SC2Engine
import Tensor

/// One latent code to render: a seed, optionally moved by `alpha` along a direction.
struct EditKey: Hashable, Sendable {
    let seed: UInt32
    let truncation: Float
    /// nil for the unedited code.
    let directionID: String?
    let alpha: Float

    /// The key of `seed` moved by `alpha` along `walk` (the unedited key when there is no move).
    init(seed: UInt32, truncation: Float, walk: WalkInput?, alpha: Float) {
        self.seed = seed
        self.truncation = truncation
        if let id = walk?.id, walk?.direction != nil, alpha != 0 {
            directionID = id
            self.alpha = alpha
        } else {
            directionID = nil
            self.alpha = 0
        }
    }
}
