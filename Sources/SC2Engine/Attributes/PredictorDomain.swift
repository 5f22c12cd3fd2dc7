/// Which images a predictor can score. A predictor that states its domain is refused on a
/// model outside it: FaceWorld's 64 px cartoon classifier scores a real face model's images as
/// confidently as it scores its own, and every number built on that would be noise.
public enum PredictorDomain {
    public static let faceWorld = "faceworld"

    /// Throws one line when `classifier` states a domain that `generator` is not in.
    public static func check(_ classifier: any AttributePredictor, for generator: Generator) throws {
        guard let wanted = classifier.domain, generator.domain != wanted else { return }
        let name = wanted == faceWorld ? "FaceWorld's classifier, which scores FaceWorld's cartoon faces only" : "a \(wanted) classifier"
        throw SC2Error(.predictor(classifier.path), "it is \(name); \(generator.path) is not a \(wanted == faceWorld ? "FaceWorld" : wanted) model: use a predictor trained for this model's images (a torchvision ResNet, docs/PREDICTORS.md), a program that scores them, or labels of your own")
    }
}
