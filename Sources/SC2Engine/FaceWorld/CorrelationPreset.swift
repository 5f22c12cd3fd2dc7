import Foundation

/// How FaceWorld's attributes are drawn: marginal frequencies plus a tree of pairwise links,
/// each with a target phi coefficient (the Pearson correlation of the two binary labels).
/// Loaded from JSON (assets/faceworld/presets/*.json): data, not code.
package struct CorrelationPreset: Codable, Sendable, Equatable {
    package struct Link: Codable, Sendable, Equatable {
        package var parent: FaceAttribute
        package var child: FaceAttribute
        /// Target phi in [-1, 1]; clamped to what the two marginals allow
        /// (-1 means "as exclusive as possible", e.g. never together).
        package var phi: Double
    }

    package var name: String
    package var description: String
    package var marginals: [String: Double]
    package var links: [Link]

    package func marginal(_ a: FaceAttribute) -> Double { marginals[a.rawValue] ?? 0.5 }

    /// Checks that every attribute has a probability in [0,1] and that links form a forest
    /// whose parents come before their children in `FaceAttribute.allCases` order or are roots.
    package func validated(source: String) throws -> CorrelationPreset {
        for (k, v) in marginals {
            guard FaceAttribute(rawValue: k) != nil else {
                throw AttributeLookup.unknown(k, known: FaceAttribute.allCases.map(\.rawValue), context: source)
            }
            guard v.isFinite, v >= 0, v <= 1 else { throw SC2Error("\(source): marginal of \(k) must be in [0, 1]") }
        }
        var children = Set<FaceAttribute>()
        for l in links {
            guard l.phi.isFinite, abs(l.phi) <= 1 else { throw SC2Error("\(source): phi of \(l.parent.rawValue)->\(l.child.rawValue) must be in [-1, 1]") }
            guard l.parent != l.child, !children.contains(l.child) else {
                throw SC2Error("\(source): \(l.child.rawValue) has more than one parent or links to itself")
            }
            children.insert(l.child)
        }
        _ = try samplingOrder(source: source)
        return self
    }

    /// Parents before children.
    func samplingOrder(source: String = "preset") throws -> [FaceAttribute] {
        var order: [FaceAttribute] = []
        var remaining = FaceAttribute.allCases
        while !remaining.isEmpty {
            let before = remaining.count
            remaining.removeAll { a in
                if let p = parent(of: a), !order.contains(p.parent) { return false }
                order.append(a); return true
            }
            if remaining.count == before { throw SC2Error("\(source): links form a cycle") }
        }
        return order
    }

    func parent(of a: FaceAttribute) -> Link? { links.first { $0.child == a } }

    /// P(child = 1 | parent = 1) and P(child = 1 | parent = 0) for a link.
    func conditionals(_ l: Link) -> (given1: Double, given0: Double) {
        let pa = marginal(l.parent), pb = marginal(l.child)
        guard pa > 0, pa < 1 else { return (pb, pb) }
        let sd = (pa * (1 - pa) * pb * (1 - pb)).squareRoot()
        let lo = max(0, pa + pb - 1), hi = min(pa, pb)   // feasible range of P(A and B)
        let pab = min(max(pa * pb + l.phi * sd, lo), hi)
        return (pab / pa, (pb - pab) / (1 - pa))
    }

    /// Draws one label vector (ordered as FaceAttribute.allCases).
    package func sampleLabels<R: RandomNumberGenerator>(_ rng: inout R) -> [Bool] {
        var labels = [Bool](repeating: false, count: FaceAttribute.allCases.count)
        let order = (try? samplingOrder()) ?? FaceAttribute.allCases
        for a in order {
            var p = marginal(a)
            if let l = parent(of: a) {
                let c = conditionals(l)
                p = labels[l.parent.index] ? c.given1 : c.given0
            }
            labels[a.index] = Double.random(in: 0..<1, using: &rng) < p
        }
        return labels
    }

    /// Sets a link's strength; adds the link if absent (child must have no other parent).
    package mutating func setStrength(parent: FaceAttribute, child: FaceAttribute, phi: Double) throws {
        if let i = links.firstIndex(where: { $0.parent == parent && $0.child == child }) {
            links[i].phi = phi
        } else if let i = links.firstIndex(where: { $0.parent == child && $0.child == parent }) {
            links[i].phi = phi   // phi is symmetric
        } else {
            links.append(Link(parent: parent, child: child, phi: phi))
        }
        _ = try validated(source: "strength \(parent.rawValue):\(child.rawValue)")
    }

    package static func load(_ url: URL) throws -> CorrelationPreset {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw SC2Error("\(url.path): cannot read preset")
        }
        do {
            return try JSONDecoder().decode(CorrelationPreset.self, from: data).validated(source: url.path)
        } catch let e as SC2Error { throw e } catch let e as DecodingError {
            throw SC2Error("\(url.path): not a valid preset (\(e.brief); see assets/faceworld/presets/biased.json)")
        } catch {
            throw SC2Error("\(url.path): not a valid preset (\(error.localizedDescription))")
        }
    }

    /// A preset by name from the assets' faceworld/presets, or a path to a JSON file.
    package static func named(_ nameOrPath: String, assets: Assets) throws -> CorrelationPreset {
        if nameOrPath.hasSuffix(".json") || nameOrPath.contains("/") {
            return try load(URL(fileURLWithPath: nameOrPath))
        }
        let dir = assets.faceWorldDirectory.appendingPathComponent("presets")
        let url = dir.appendingPathComponent("\(nameOrPath).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            let known = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
            throw SC2Error("unknown preset '\(nameOrPath)' (known: \(known.joined(separator: ", ")))")
        }
        return try load(url)
    }
}
