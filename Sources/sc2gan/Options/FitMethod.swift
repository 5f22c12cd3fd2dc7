import ArgumentParser
import SC2Engine

/// `directions fit --method`: the direction finders the command line offers.
enum FitMethod: String, CaseIterable, ExpressibleByArgument {
    case interfacegan
    case classMean = "class-mean"
    case logistic
    case ganspace
    case classPCA = "class-pca"
    case sefa

    /// A method by name; `svm` is InterFaceGAN's (a linear SVM), as the issue trackers call it.
    init?(name: String) {
        let n = name.lowercased()
        self.init(rawValue: n == "svm" ? "interfacegan" : n)
    }

    init?(argument: String) { self.init(name: argument) }

    /// The finder of the correction's base and re-fit: SeFa's needs the generator's style
    /// weights (factorised on `layers` when given, as its authors do).
    func finder(generator g: Generator, layers: [Int]?) -> any DirectionFinder {
        if self == .sefa { return SeFaFinder(components: SeFa.components(of: g, layers: layers)) }
        return finder ?? InterFaceGANFinder()
    }

    /// The supervised finder behind the method (nil for SeFa, which needs no labels).
    var finder: DirectionFinder? {
        switch self {
        case .interfacegan: return InterFaceGANFinder()
        case .classMean: return ClassMeanFinder()
        case .logistic: return LogisticRegressionFinder()
        case .ganspace: return GANSpacePopulationFinder()
        case .classPCA: return GANSpaceFinder()
        case .sefa: return nil
        }
    }
}
