import SC2Engine
import TerminalUI

/// How the explorer arranges its panes: the three methods side by side, or one method large.
enum ExplorerLayoutMode: Equatable, Sendable {
    case sideBySide
    case single(DirectionMethod)

    /// The methods shown, left to right.
    var methods: [DirectionMethod] {
        switch self {
        case .sideBySide: return DirectionMethod.allCases
        case .single(let m): return [m]
        }
    }

    /// `m` cycles: side by side -> original -> conditional -> corrected -> side by side.
    var next: ExplorerLayoutMode {
        switch self {
        case .sideBySide: return .single(DirectionMethod.allCases[0])
        case .single(let m):
            let all = DirectionMethod.allCases
            let i = all.firstIndex(of: m)!
            return i + 1 < all.count ? .single(all[i + 1]) : .sideBySide
        }
    }
}
