import ArgumentParser
import Foundation
import SC2Engine

/// --model, shared by every command that needs a generator.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Generator checkpoint (.safetensors or rosinality .pt). Default: the FaceWorld model in assets/faceworld (found next to the binary, in the checkout, or at $SC2GAN_ASSETS).", valueName: "path"))
    var model: String?

    func load() throws -> Generator {
        let url: URL
        if let model {
            guard !model.isEmpty else { throw SC2Error("--model is empty: give a checkpoint path, or leave --model out for the FaceWorld model") }
            url = URL(fileURLWithPath: model)
        } else {
            url = try DefaultModel.generatorURL()
        }
        return try Generator(contentsOf: url)
    }
}
