import ArgumentParser
import Foundation
import SC2Engine

/// --classifier and how the default is found: the one option group every command that scores
/// images shares.
struct ClassifierOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Attribute classifier (.safetensors). Default: the FaceWorld classifier.", valueName: "path"))
    var classifier: String?

    /// The classifier given, else FaceWorld's; a missing or damaged file is a one-line error.
    func load() throws -> AttributeClassifier {
        if let classifier { return try AttributeClassifier(contentsOf: URL(fileURLWithPath: classifier)) }
        do { return try AttributeClassifier.faceWorld() } catch {
            throw SC2Error("no attribute classifier: pass --classifier PATH (\(error))")
        }
    }

    /// For the explorer, where score bars are optional: the classifier given (its errors are
    /// fatal), else FaceWorld's beside the FaceWorld model; without one, the reason to show.
    func loadOptional(faceWorld: URL?) throws -> (AttributeClassifier?, String?) {
        if classifier != nil { return (try load(), nil) }
        guard faceWorld != nil else { return (nil, "no classifier: pass --classifier PATH for score bars") }
        do { return (try load(), nil) } catch { return (nil, "\(error)") }
    }
}
