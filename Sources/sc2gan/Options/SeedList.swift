import ArgumentParser
import Foundation
import SC2Engine

/// Parses seed lists such as "0-3,42" (the reference generate script's syntax).
enum SeedList {
    static func parse(_ text: String) throws -> [UInt32] {
        var out: [UInt32] = []
        for part in text.split(separator: ",") {
            let p = part.trimmingCharacters(in: .whitespaces)
            if let dash = p.dropFirst().firstIndex(of: "-") {
                guard let a = UInt32(p[..<dash]), let b = UInt32(p[p.index(after: dash)...]), a <= b else {
                    throw SC2Error("bad seed range '\(p)' (expected A-B with A <= B)")
                }
                guard b - a < 1_000_000 else { throw SC2Error("seed range '\(p)' is too long") }
                out.append(contentsOf: a...b)
            } else {
                guard let s = UInt32(p) else { throw SC2Error("bad seed '\(p)' (seeds are 0...4294967295)") }
                out.append(s)
            }
        }
        guard !out.isEmpty else { throw SC2Error("no seeds given") }
        guard out.count <= 1_000_000 else { throw SC2Error("too many seeds (\(out.count); at most 1000000)") }
        // A seed listed twice would be generated twice into the same file: keep the first.
        var seen = Set<UInt32>()
        return out.filter { seen.insert($0).inserted }
    }
}
