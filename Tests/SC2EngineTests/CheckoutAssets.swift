import Foundation
import SC2Engine

/// The assets of the checkout these tests belong to (the engine finds nothing by itself).
let checkoutAssets = Assets(directory: URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("assets"))
