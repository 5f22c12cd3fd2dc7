import Foundation

/// The evaluation's figures as SVG (opens in any browser, renders in a README): leakage
/// against the target level, and against the number of rare samples in the re-fit.
package enum EvaluationCharts {
    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#17becf"]

    struct Series { let name: String; let points: [(x: Double, y: Double, err: Double)]; let dashed: Bool }
    struct Panel { let title: String; let series: [Series] }

    /// One panel per (pair, side): leakage (mean over fits, bar = sd across fits) against level.
    package static func levels(_ s: EvaluationSummary, reference: String) -> String {
        var panels: [Panel] = []
        var keys: [String] = []
        for l in s.lines where !l.method.hasPrefix("sc2-dose-") {
            let k = "\(l.target) → \(l.correlated) (\(l.side))"
            if !keys.contains(k) { keys.append(k) }
        }
        for k in keys {
            let lines = s.lines.filter { "\($0.target) → \($0.correlated) (\($0.side))" == k && !$0.method.hasPrefix("sc2-dose-") }
            var methods: [String] = []
            for l in lines where !methods.contains(l.method) { methods.append(l.method) }
            panels.append(Panel(title: k, series: methods.map { m in
                Series(name: m, points: lines.filter { $0.method == m }.sorted { $0.level < $1.level }.map { ($0.level, $0.leakage, $0.leakageStd) },
                       dashed: m == reference)
            }))
        }
        return render(panels, xLabel: "mean change of the target (judge)", yLabel: "leakage into the correlated attribute", xTicks: nil)
    }

    /// StyleSpace's attribute-dependency curve, one panel per (pair, side): the mean change of
    /// every attribute but the target, each divided by its spread, against the target's change.
    package static func dependency(_ s: EvaluationSummary, reference: String) -> String {
        var panels: [Panel] = []
        var keys: [String] = []
        let usable = s.lines.filter { !$0.method.hasPrefix("sc2-dose-") && $0.dependency != nil }
        for l in usable {
            let k = "\(l.target) → \(l.correlated) (\(l.side))"
            if !keys.contains(k) { keys.append(k) }
        }
        for k in keys {
            let lines = usable.filter { "\($0.target) → \($0.correlated) (\($0.side))" == k }
            var methods: [String] = []
            for l in lines where !methods.contains(l.method) { methods.append(l.method) }
            panels.append(Panel(title: k, series: methods.map { m in
                Series(name: m, points: lines.filter { $0.method == m }.sorted { $0.level < $1.level }.map { ($0.level, $0.dependency!, 0) },
                       dashed: m == reference)
            }))
        }
        return render(panels, xLabel: "mean change of the target (judge)", yLabel: "attribute dependency: mean |Δp| / spread of the others", xTicks: nil)
    }

    /// One panel per pair: SC²'s leakage against the rare samples in its re-fit, with the
    /// original and conditional directions as flat references.
    package static func doses(_ s: EvaluationSummary, doses: [Int], level: Double) -> String {
        var panels: [Panel] = []
        var pairs: [String] = []
        let atLevel = s.lines.filter { $0.level == level }
        for l in atLevel where l.method.hasPrefix("sc2-dose-") {
            let k = "\(l.target) → \(l.correlated) (\(l.side))"
            if !pairs.contains(k) { pairs.append(k) }
        }
        for k in pairs {
            let lines = atLevel.filter { "\($0.target) → \($0.correlated) (\($0.side))" == k }
            let xs = doses.enumerated().map { Double($0.offset) }
            var series = [Series(name: "SC² with N rare samples", points: doses.enumerated().compactMap { i, n in
                lines.first { $0.method == "sc2-dose-\(n)" }.map { (xs[i], $0.leakage, $0.leakageStd) } }, dashed: false)]
            for m in ["original", "conditional", "sc2"] {
                if let l = lines.first(where: { $0.method == m }) {
                    series.append(Series(name: m == "sc2" ? "SC² (balanced)" : m, points: [(xs.first ?? 0, l.leakage, 0), (xs.last ?? 0, l.leakage, 0)], dashed: true))
                }
            }
            panels.append(Panel(title: k, series: series))
        }
        return render(panels, xLabel: "rare samples allowed into the re-fit", yLabel: "leakage into the correlated attribute",
                      xTicks: doses.map(String.init))
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func render(_ panels: [Panel], xLabel: String, yLabel: String, xTicks: [String]?) -> String {
        let pw = 330.0, ph = 240.0, left = 56.0, top = 34.0, bottom = 48.0, right = 16.0
        let legendNames = panels.flatMap { $0.series.map(\.name) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let width = Double(max(panels.count, 1)) * (pw + left + right)
        let columns = max(1, min(3, Int((width - left) / 180)))
        let height = top + ph + bottom + 22 * Double((legendNames.count + columns - 1) / columns) + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        func colour(_ name: String) -> String { colours[(legendNames.firstIndex(of: name) ?? 0) % colours.count] }
        for (pi, p) in panels.enumerated() {
            let ox = Double(pi) * (pw + left + right) + left
            let all = p.series.flatMap(\.points)
            let x0 = all.map(\.x).min() ?? 0, x1 = max(all.map(\.x).max() ?? 1, x0 + 1e-6)
            let y1 = max(0.05, (all.map { $0.y + $0.err }.max() ?? 0.1) * 1.1)
            func X(_ x: Double) -> Double { ox + (x - x0) / (x1 - x0) * pw }
            func Y(_ y: Double) -> Double { top + ph - y / y1 * ph }
            svg += "<text x=\"\(ox + pw / 2)\" y=\"\(top - 12)\" text-anchor=\"middle\" font-weight=\"bold\">\(esc(p.title))</text>\n"
            svg += "<rect x=\"\(ox)\" y=\"\(top)\" width=\"\(pw)\" height=\"\(ph)\" fill=\"none\" stroke=\"#444\"/>\n"
            for k in 0...4 {
                let y = y1 * Double(k) / 4
                svg += "<line x1=\"\(ox)\" y1=\"\(Y(y))\" x2=\"\(ox + pw)\" y2=\"\(Y(y))\" stroke=\"#ddd\"/>"
                svg += "<text x=\"\(ox - 6)\" y=\"\(Y(y) + 4)\" text-anchor=\"end\">\(String(format: "%.2f", y))</text>\n"
            }
            let ticks: [(Double, String)] = xTicks.map { $0.enumerated().map { (Double($0.offset), $0.element) } }
                ?? Array(Set(all.map(\.x))).sorted().map { ($0, String(format: "%.2f", $0)) }
            for (x, label) in ticks {
                svg += "<text x=\"\(X(x))\" y=\"\(top + ph + 16)\" text-anchor=\"middle\">\(esc(label))</text>\n"
            }
            svg += "<text x=\"\(ox + pw / 2)\" y=\"\(top + ph + 34)\" text-anchor=\"middle\">\(esc(xLabel))</text>\n"
            if pi == 0 {
                svg += "<text transform=\"translate(\(ox - 42),\(top + ph / 2)) rotate(-90)\" text-anchor=\"middle\">\(esc(yLabel))</text>\n"
            }
            for s in p.series where !s.points.isEmpty {
                let c = colour(s.name)
                let path = s.points.map { "\(X($0.x)),\(Y($0.y))" }.joined(separator: " ")
                svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6,4\"" : "")/>\n"
                for pt in s.points where !s.dashed {
                    svg += "<circle cx=\"\(X(pt.x))\" cy=\"\(Y(pt.y))\" r=\"3\" fill=\"\(c)\"/>"
                    if pt.err > 0 {
                        svg += "<line x1=\"\(X(pt.x))\" y1=\"\(Y(max(0, pt.y - pt.err)))\" x2=\"\(X(pt.x))\" y2=\"\(Y(pt.y + pt.err))\" stroke=\"\(c)\"/>"
                    }
                }
                svg += "\n"
            }
        }
        for (i, name) in legendNames.enumerated() {
            let lx = left + Double(i % columns) * 180, ly = top + ph + bottom + 8 + 22 * Double(i / columns)
            svg += "<line x1=\"\(lx)\" y1=\"\(ly)\" x2=\"\(lx + 24)\" y2=\"\(ly)\" stroke=\"\(colour(name))\" stroke-width=\"3\"/>"
            svg += "<text x=\"\(lx + 30)\" y=\"\(ly + 4)\">\(esc(name))</text>\n"
        }
        return svg + "</svg>\n"
    }
}
