import Foundation

/// Opens a predictor file of any kind the engine reads, chosen from the file itself.
public enum PredictorFile {
    public static func load(_ url: URL) throws -> any AttributePredictor {
        try AttributeClassifier(contentsOf: url)
    }
}
