import ArgumentParser
import Foundation
import SC2Engine

/// --classifier and how the default is found: the one option group every command that scores
/// images shares.
struct ClassifierOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Attribute classifier (.safetensors). Default: the FaceWorld classifier.", valueName: "path"))
    var classifier: String?

    /// The classifier to score `generator`'s images: refused in one line when it states a
    /// domain the model is not in (FaceWorld's classifier on any other model).
    func load(for generator: Generator) throws -> any AttributePredictor {
        let c = try load()
        try PredictorDomain.check(c, for: generator)
        return c
    }

    /// The classifier given, else FaceWorld's; a missing or damaged file is a one-line error.
    func load() throws -> any AttributePredictor {
        if let classifier { return try AttributeClassifier(contentsOf: URL(fileURLWithPath: classifier)) }
        do { return try AttributeClassifier.faceWorld() } catch {
            throw SC2Error("no attribute classifier: pass --classifier PATH (\(error))")
        }
    }

    /// For the explorer, where score bars are optional: the classifier given (its errors are
    /// fatal), else FaceWorld's beside the FaceWorld model; without one, the reason to show.
    func loadOptional(faceWorld: URL?, for generator: Generator) throws -> ((any AttributePredictor)?, String?) {
        if classifier != nil { return (try load(for: generator), nil) }
        guard faceWorld != nil else { return (nil, "no classifier: pass --classifier PATH for score bars") }
        do { return (try load(for: generator), nil) } catch { return (nil, "\(error)") }
    }
}
