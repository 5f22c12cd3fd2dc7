import Foundation

/// The W+ rows the panes' directions edit (`r` moves it on): each direction's own rows, or one
/// of StyleGAN's three bands of styles, by the resolution the rows drive (Karras et al. 2019):
/// coarse at 4-8 px (rows 0-3), middle at 16-32 px (rows 4-7), fine from 64 px on (rows 8 and
/// up). An edit on a band leaves every other row's style as it was.
package enum RowBand: String, CaseIterable, Sendable {
    case own, coarse, middle, fine

    /// The band's rows on a generator with `numWs` rows (nil: the directions' own rows; empty:
    /// the generator has none there, e.g. no fine rows below 64 px).
    package func rows(numWs: Int) -> [Int]? {
        switch self {
        case .own: return nil
        case .coarse: return Array(0..<min(4, numWs))
        case .middle: return numWs > 4 ? Array(4..<min(8, numWs)) : []
        case .fine: return numWs > 8 ? Array(8..<numWs) : []
        }
    }

    /// The band after this one that the generator has rows for (back to `own` after the last).
    package func next(numWs: Int) -> RowBand {
        let all = RowBand.allCases
        var i = all.firstIndex(of: self)!
        repeat { i = (i + 1) % all.count } while all[i].rows(numWs: numWs)?.isEmpty == true
        return all[i]
    }

    /// "rows 0-3 (coarse, 4-8 px)", or nil for the directions' own rows.
    package func label(numWs: Int) -> String? {
        guard let r = rows(numWs: numWs), let first = r.first, let last = r.last else { return nil }
        let px: String
        switch self {
        case .own: return nil
        case .coarse: px = "4-8 px"
        case .middle: px = "16-32 px"
        case .fine: px = "64 px up"
        }
        return "rows \(first)-\(last) (\(rawValue), \(px))"
    }
}
