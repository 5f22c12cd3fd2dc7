import ArgumentParser

/// `directions export --format`.
enum DirectionFormat: String, CaseIterable, ExpressibleByArgument {
    case npy
    case json
}
