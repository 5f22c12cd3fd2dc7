import ArgumentParser

/// `project --space`: one w for every layer, or one per W+ row.
enum LatentSpace: String, CaseIterable, ExpressibleByArgument {
    case w
    case wplus
}
