import Foundation
import SC2Engine

/// One pane's direction, as far as the explorer knows it.
enum DirectionSlot: Equatable, Sendable {
    /// Ready to walk. `id` identifies the vector (cache key); `note` warns, e.g. of another model.
    case available(Direction, id: String, note: String?)
    /// Not computed yet; `note` says what to do when `c` cannot help.
    case missing(note: String?)
    /// A file exists but cannot be used (corrupt, wrong dimension).
    case unusable(String)

    var direction: Direction? {
        if case .available(let d, _, _) = self { return d }
        return nil
    }

    var id: String? {
        if case .available(_, let id, _) = self { return id }
        return nil
    }
}
