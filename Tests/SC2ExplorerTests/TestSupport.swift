import Foundation
import SC2Engine
@testable import SC2Explorer

/// Paths the explorer tests share with the rest of the suite.
enum CLI {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var fixtures: URL { packageRoot.appendingPathComponent("Tests/SC2EngineTests/Fixtures") }

    static func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("sc2gan-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }
}

/// The renderer tests' 16x16 picture: red on the left, blue on the right; `changedLeft` lightens
/// the left half (a change from step 0 for the heat map).
func stripedPicture(scores: [Float]?, changedLeft: Bool = false) -> Picture {
    var px: [UInt8] = []
    for _ in 0..<16 { for x in 0..<16 { px += x < 8 ? (changedLeft ? [250, 250, 250] : [220, 30, 30]) : [30, 30, 220] } }
    return Picture(image: RGBImage(width: 16, height: 16, pixels: px), scores: scores)
}
