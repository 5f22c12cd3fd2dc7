import ArgumentParser

/// `directions export --format`.
enum DirectionFormat: String, CaseIterable, ExpressibleByArgument {
    case npy
    case json
    /// A torch-saved dict {key: (1, D) tensor}, as anycost-gan's boundary files hold.
    case pt
}
