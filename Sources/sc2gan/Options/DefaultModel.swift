import ArgumentParser
import Foundation
import SC2Engine

enum DefaultModel {
    static func generatorURL() throws -> URL {
        let url = try Configuration.current.requireAssets().faceWorldDirectory.appendingPathComponent("generator.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SC2Error("the FaceWorld model is not where sc2gan looks (assets/faceworld next to the binary, in the checkout, or at $SC2GAN_ASSETS): pass --model PATH")
        }
        return url
    }
}
