import ArgumentParser
import Foundation
import SC2Engine

extension GeneratorChoice: ExpressibleByArgument {}

/// --model and --use, shared by every command that needs a generator.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Generator checkpoint (.safetensors, rosinality .pt, or a rosinality training checkpoint). Default: the FaceWorld model in assets/faceworld (found next to the binary, in the checkout, or at $SC2GAN_ASSETS).", valueName: "path"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Which generator of a training checkpoint: g_ema (the weights' moving average, what everyone samples from) or g (the network being trained).", valueName: "g_ema|g"))
    var use: GeneratorChoice = .ema

    @Option(name: .long, help: ArgumentHelp("A testbed kept in assets/testbeds instead of --model: its generator (FaceWorld's classifier and judge apply), e.g. strong (the paper's regime: rare combinations nearly missing) or interim-100kimg.", valueName: "name"))
    var testbed: String?

    func validate() throws {
        if model != nil, testbed != nil { throw ValidationError("--model and --testbed both name a generator; give one") }
    }

    func load() throws -> Generator {
        let url: URL
        if let testbed {
            url = try Configuration.current.requireAssets().testbed(testbed).appendingPathComponent("generator.safetensors")
        } else if let model {
            guard !model.isEmpty else { throw SC2Error("--model is empty: give a checkpoint path, or leave --model out for the FaceWorld model") }
            url = URL(fileURLWithPath: model)
        } else {
            url = try DefaultModel.generatorURL()
        }
        return try Generator(contentsOf: url, choice: use)
    }
}
