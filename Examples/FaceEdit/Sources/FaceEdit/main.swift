// Generates a face with sc2gan's engine and walks it along an editing direction: the public API
// a program needs, and nothing else.
//
//   swift run FaceEdit ASSETS_FOLDER SEED ATTRIBUTE METHOD OUT.png
//   swift run FaceEdit ../../assets 7 age sc2 age.png
import Foundation
import SC2Engine

let args = CommandLine.arguments
guard args.count == 6, let seed = UInt32(args[2]) else {
    FileHandle.standardError.write(Data("usage: FaceEdit ASSETS_FOLDER SEED ATTRIBUTE METHOD OUT.png\n".utf8))
    exit(2)
}
do {
    let assets = Assets(directory: URL(fileURLWithPath: args[1]))
    let generator = try Generator(contentsOf: assets.faceWorldDirectory.appendingPathComponent("generator.safetensors"))
    let library = DirectionLibrary.faceWorld(assets: assets)
    let direction = try Direction.load(library.url(attribute: args[3], name: args[4]))
    try direction.checkCompatible(wDim: generator.config.wDim, numWs: generator.config.numWs, source: args[4])

    // w for the seed (truncated towards the average face), then five steps along the direction.
    let w = generator.ws(z: generator.latents(seeds: [seed]), truncation: 0.7)
    let frames = (0...4).map { step in
        Generator.pictures(generator.synthesis(direction.apply(to: w, alpha: Float(step) * 0.75)))[0]
    }
    try PNG.write(RGBImage.grid(frames, columns: frames.count), to: URL(fileURLWithPath: args[5]))

    // What the shipped classifier sees at both ends of the walk.
    let classifier = try AttributeClassifier.faceWorld(assets: assets)
    let first = classifier.probabilities(generated: generator.synthesis(w))[0]
    let last = classifier.probabilities(generated: generator.synthesis(direction.apply(to: w, alpha: 3)))[0]
    for (i, name) in classifier.attributes.enumerated() {
        print(name.padding(toLength: 12, withPad: " ", startingAt: 0), String(format: "%.2f -> %.2f", first[i], last[i]))
    }
} catch {
    FileHandle.standardError.write(Data("FaceEdit: \(error)\n".utf8))
    exit(1)
}
