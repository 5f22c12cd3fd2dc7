/// The methods an evaluation compares: a direction as fitted, InterFaceGAN's conditional
/// manipulation, SC², and SC²'s ablations (each SC² with one part taken away).
public enum MethodName: String, Sendable, CaseIterable, Codable {
    case original
    case conditional
    case sc2
    case denseOnly = "sc2-dense-only"
    case noReprojection = "sc2-no-reprojection"
    case closedForm = "sc2-closed-form"
    case randomRows = "sc2-random-rows"
    /// A variant: SC²'s direction with the correlated attributes' original directions projected
    /// out, as the conditional manipulation does to InterFaceGAN's.
    case sc2Conditional = "sc2-conditional"
    /// A variant: SC² with each rare sample set back to its source's position along the
    /// correlated attributes' directions before the re-fit (`--pin-correlated`).
    case pinned = "sc2-pinned"

    /// Accepts the names of tables and files ("interfacegan" for original, "corrected" for sc2).
    public init?(_ name: String) {
        switch name.lowercased() {
        case "original", "interfacegan": self = .original
        case "corrected", "sc²", "sc2": self = .sc2
        default: self.init(rawValue: name.lowercased())
        }
    }

    public static var allNames: [String] { allCases.map(\.rawValue) }

    /// The name in tables.
    public var display: String { rawValue }

    /// The library file's method part: DIR/<attribute>.<fileName>.json.
    public var fileName: String {
        switch self {
        case .original: return DirectionMethod.original.rawValue
        case .conditional: return DirectionMethod.conditional.rawValue
        case .sc2Conditional: return rawValue
        default: return variant!.methodName
        }
    }

    /// The SC² variant that makes it (nil: not an SC² method).
    public var variant: SC2Pipeline.Variant? {
        switch self {
        case .original, .conditional, .sc2Conditional: return nil
        case .sc2: return .full
        case .denseOnly: return .denseOnly
        case .noReprojection: return .noReprojection
        case .closedForm: return .closedForm
        case .randomRows: return .randomRows
        case .pinned: return .pinned
        }
    }

    /// A comma-separated list, each once, in table order.
    public static func parse(_ list: String, flag: String) throws -> [MethodName] {
        var chosen: [MethodName] = []
        for name in list.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let m = MethodName(name) else {
                throw SC2Error("\(flag): unknown method '\(name)'; expected \(allNames.joined(separator: ", "))")
            }
            guard !chosen.contains(m) else { throw SC2Error("\(flag): '\(name)' is listed twice") }
            chosen.append(m)
        }
        return allCases.filter(chosen.contains)
    }
}
