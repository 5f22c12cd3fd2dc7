import ArgumentParser
import Foundation
import SC2Engine

enum DefaultModel {
    static func generatorURL() throws -> URL {
        let url = try Assets.faceWorldDirectory().appendingPathComponent("generator.safetensors")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SC2Error("the default FaceWorld model is not in assets/ yet (it is being trained); pass --model PATH")
        }
        return url
    }
}
