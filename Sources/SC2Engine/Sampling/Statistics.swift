import Foundation
import Tensor

package enum Statistics {
    package static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    /// Quantiles by linear interpolation between order statistics (numpy's default, `linear`):
    /// position q (n − 1) in the sorted values. nan for each q when `x` is empty.
    package static func quantiles(_ x: [Double], _ qs: [Double]) -> [Double] {
        guard !x.isEmpty else { return qs.map { _ in .nan } }
        let v = x.sorted()
        return qs.map { q in
            let pos = min(max(q, 0), 1) * Double(v.count - 1)
            let lo = Int(pos.rounded(.down)), hi = min(lo + 1, v.count - 1)
            return v[lo] + (v[hi] - v[lo]) * (pos - Double(lo))
        }
    }

    package static func std(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    package static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let ma = mean(a), mb = mean(b)
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in 0..<min(a.count, b.count) {
            sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb)
        }
        return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : 0
    }

    package static func correlationMatrix(_ columns: [[Double]]) -> [[Double]] {
        columns.map { a in columns.map { b in pearson(a, b) } }
    }
}
