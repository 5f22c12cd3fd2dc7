import ArgumentParser
import Foundation
import SC2Engine

/// --predictor (alias --classifier) and how the default is found: the one option group every
/// command that scores images shares. The kind (FaceWorld's classifier, a torchvision ResNet)
/// comes from the file (`Predictors.load`).
struct ClassifierOptions: ParsableArguments {
    @Option(name: [.customLong("predictor"), .customLong("classifier")],
            help: ArgumentHelp("Attribute predictor: FaceWorld's classifier (.safetensors) or a torchvision ResNet (.safetensors, or .pt/.pth with a <file>.json sidecar; anycost-gan's attribute_predictor.pt is recognised). --classifier is the same option. Default: the FaceWorld classifier.", valueName: "path"))
    var classifier: String?
    @Option(help: ArgumentHelp("Define an attribute as the opposite of one of the predictor's, e.g. old=not:Young (or old=~Young): P(old) = 1 - P(Young). Repeatable.", valueName: "name=not:attr"))
    var define: [String] = []

    @Option(help: ArgumentHelp("An external scoring program instead of a predictor file: started once, it names its attributes and is sent batches of images over stdin/stdout (protocol sc2gan-scorer/1, docs/SCORER.md), e.g. '/usr/bin/python3 tools/scorers/faceworld_scorer.py'. SC2GAN_SCORER_TIMEOUT: seconds it may take to start and per batch (default 120).", valueName: "command"))
    var scorer: String?

    /// The predictor to score `generator`'s images: refused in one line when it states a
    /// domain the model is not in (FaceWorld's classifier on any other model).
    func load(for generator: Generator) throws -> any AttributePredictor {
        let c = try load()
        try PredictorDomain.check(c, for: generator)
        return c
    }

    /// The predictor given, else FaceWorld's classifier, with the --define attributes; a missing
    /// or damaged file is a one-line error.
    func load() throws -> any AttributePredictor {
        let base = try loadBase()
        return define.isEmpty ? base : try DerivedAttributes(base, definitions: define)
    }

    private func loadBase() throws -> any AttributePredictor {
        if let scorer {
            guard classifier == nil else { throw SC2Error("give --predictor or --scorer, not both") }
            return try ExternalScorer(command: scorer, timeout: Configuration.current.scorerTimeout())
        }
        if let classifier {
            guard !classifier.isEmpty else { throw SC2Error("--predictor is empty: give a predictor file, or leave it out for FaceWorld's classifier") }
            return try Predictors.load(URL(fileURLWithPath: classifier))
        }
        do { return try AttributeClassifier.faceWorld(assets: Configuration.current.requireAssets()) } catch {
            throw SC2Error("no attribute predictor: pass --predictor PATH (\(error))")
        }
    }

    /// For the explorer, where score bars are optional: the predictor given (its errors are
    /// fatal), else FaceWorld's beside the FaceWorld model; without one, the reason to show.
    func loadOptional(faceWorld: URL?, for generator: Generator) throws -> ((any AttributePredictor)?, String?) {
        if classifier != nil || scorer != nil { return (try load(for: generator), nil) }
        guard faceWorld != nil else { return (nil, "no predictor: pass --predictor PATH for score bars") }
        do { return (try load(for: generator), nil) } catch { return (nil, "\(error)") }
    }
}
