import ArgumentParser
import SC2Engine

/// `--layers`: the W+ rows a direction edits, as a range or a list (0-3, 2,4, 0-1,6), checked
/// for form when parsed and against the model once it is loaded.
enum LayerRange {
    /// The rows `text` names, sorted, each once.
    static func parse(_ text: String, _ flag: String = "--layers") throws -> [Int] {
        var out: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(ends.count), let a = Int(ends[0]), let b = Int(ends[ends.count - 1]), a >= 0, a <= b,
                  b < Direction.maxLayers else {
                throw ValidationError("\(flag): '\(part)' is not a W+ row or a range of rows from 0 to \(Direction.maxLayers - 1) (e.g. 0-3, 2,4)")
            }
            out += Array(a...b)
        }
        return Array(Set(out)).sorted()
    }

    /// Throws unless every row exists in `g`.
    static func check(_ rows: [Int], _ g: Generator, _ flag: String = "--layers") throws {
        let nw = g.config.numWs
        if let bad = rows.first(where: { $0 >= nw }) {
            throw SC2Error("\(flag): row \(bad) is out of range: this generator has \(nw) W+ rows (0-\(nw - 1))")
        }
    }

    /// "0-3", "2,4", "0-1,6": rows as a user writes them.
    static func text(_ rows: [Int]) -> String {
        var parts: [String] = [], i = 0
        while i < rows.count {
            var j = i
            while j + 1 < rows.count, rows[j + 1] == rows[j] + 1 { j += 1 }
            parts.append(i == j ? "\(rows[i])" : "\(rows[i])-\(rows[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}
