import Tensor

/// Maps the naming schemes of StyleGAN2 checkpoints onto one canonical set: the names and
/// shapes of NVIDIA's stylegan2-ada-pytorch `G_ema` state dict (docs/STYLEGAN2.md,
/// "Checkpoints"). Weights need no transform, only renaming and removing singleton axes.
/// - rosinality (`{'g_ema': state dict, 'latent_avg': tensor}`, or a bare generator state dict):
///   renamed and reshaped; the constant blur/upsample kernels are dropped.
/// - NVIDIA (optionally under `G_ema.` or `g_ema.`): kept, minus `resample_filter` buffers and
///   anything that is not a generator weight (a discriminator, the training copy `G.`).
/// - a training checkpoint (rosinality's {g, d, g_ema, g_optim, d_optim, args}): `choice` picks
///   g_ema (the default) or g under either scheme; the rest (discriminator, optimiser states)
///   is never read.
/// - names of neither scheme (not a generator): kept as they are.
enum KeyNames {
    /// The canonical tensors of a checkpoint holding `names`. `load` reads one tensor by its
    /// stored name; only tensors that survive the map are read. Errors name `source`.
    static func canonical(names: [String], source: String, choice: GeneratorChoice = .ema,
                          load: (String) throws -> Tensor) throws -> [String: Tensor] {
        // Stripped name -> stored name, for the generator when the file names one explicitly.
        var generator: [String: String] = [:]
        for name in names {
            if let prefix = choice.prefixes.first(where: { name.hasPrefix($0) }) {
                generator[String(name.dropFirst(prefix.count))] = name
            }
        }
        if generator.isEmpty, choice == .training {
            throw SC2Error("\(source): holds no training generator (no tensors under 'g.' or 'G.'; only training checkpoints have one beside g_ema)")
        }
        if generator.isEmpty {
            for name in names { generator[name] = name }
        } else if names.contains("latent_avg") {
            generator["latent_avg"] = "latent_avg"  // rosinality keeps it beside g_ema
        }

        // Sorted, so that the first problem reported does not depend on hashing.
        let entries = generator.sorted { $0.key < $1.key }
        var out: [String: Tensor] = [:]
        if generator["input.input"] != nil {
            for (name, stored) in entries {
                if name.hasSuffix(".blur.kernel") || name.hasSuffix(".upsample.kernel") { continue }
                guard let (target, reshape) = rosinalityTarget(name) else {
                    throw SC2Error("\(source): unexpected tensor \(stored.quotedForMessage) in a rosinality checkpoint")
                }
                var tensor = try load(stored)
                guard let shape = reshape.apply(tensor.shape) else {
                    throw SC2Error("\(source): tensor \(stored.quotedForMessage) has shape \(tensor.shape), which does not fit \(target.quotedForMessage)")
                }
                tensor.shape = shape
                guard out.updateValue(tensor, forKey: target) == nil else {
                    throw SC2Error("\(source): two tensors map onto \(target.quotedForMessage)")
                }
            }
        } else if generator.keys.contains(where: isNVIDIAGeneratorWeight) {
            for (name, stored) in entries where isNVIDIAGeneratorWeight(name) {
                out[name] = try load(stored)
            }
        } else {
            for name in names.sorted() { out[name] = try load(name) }
        }
        return out
    }

    private static func isNVIDIAGeneratorWeight(_ name: String) -> Bool {
        (name.hasPrefix("mapping.") || name.hasPrefix("synthesis.")) && !name.hasSuffix("resample_filter")
    }

    /// How a rosinality tensor's shape becomes the NVIDIA one: only singleton axes go.
    private enum Reshape {
        case keep
        /// [1, ..., 1, rest] -> [rest]
        case dropLeading(Int)
        /// [1, n, 1, 1] -> [n] (a ToRGB bias)
        case vector

        func apply(_ shape: [Int]) -> [Int]? {
            switch self {
            case .keep:
                return shape
            case .dropLeading(let count):
                return shape.count >= count && shape.prefix(count).allSatisfy { $0 == 1 } ? Array(shape.dropFirst(count)) : nil
            case .vector:
                return shape.count == 4 && shape[0] == 1 && shape[2] == 1 && shape[3] == 1 ? [shape[1]] : nil
            }
        }
    }

    /// Inside a StyledConv (`conv1`, `convs.N`) and a ToRGB (`to_rgb1`, `to_rgbs.N`).
    private static let layerNames: [String: (String, Reshape)] = [
        "conv.weight": ("weight", .dropLeading(1)),
        "conv.modulation.weight": ("affine.weight", .keep),
        "conv.modulation.bias": ("affine.bias", .keep),
        "noise.weight": ("noise_strength", .dropLeading(1)),
        "activate.bias": ("bias", .keep),
    ]
    private static let rgbNames: [String: (String, Reshape)] = [
        "conv.weight": ("weight", .dropLeading(1)),
        "conv.modulation.weight": ("affine.weight", .keep),
        "conv.modulation.bias": ("affine.bias", .keep),
        "bias": ("bias", .vector),
    ]

    /// The NVIDIA name and reshape of a rosinality generator tensor; nil for an unknown name.
    /// Block k (k >= 1) has resolution R = 2^(k+2): convs.{2k-2} -> bR.conv0, convs.{2k-1} ->
    /// bR.conv1, to_rgbs.{k-1} -> bR.torgb, noises.noise_{2k-1} / noise_{2k} -> bR.conv0 / conv1.
    private static func rosinalityTarget(_ name: String) -> (String, Reshape)? {
        let parts = name.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        func inner(_ table: [String: (String, Reshape)], _ layer: String, from start: Int) -> (String, Reshape)? {
            let rest = parts.dropFirst(start).joined(separator: ".")
            return table[rest].map { ("\(layer).\($0.0)", $0.1) }
        }
        switch (parts.first, parts.count) {
        case ("latent_avg", 1):
            return ("mapping.w_avg", .keep)
        case ("input", 2) where parts[1] == "input":
            return ("synthesis.b4.const", .dropLeading(1))
        case ("style", 3):
            guard let i = index(parts[1], below: 64), i >= 1, parts[2] == "weight" || parts[2] == "bias" else { return nil }
            return ("mapping.fc\(i - 1).\(parts[2])", .keep)
        case ("conv1", _):
            return inner(layerNames, "synthesis.b4.conv1", from: 1)
        case ("to_rgb1", _):
            return inner(rgbNames, "synthesis.b4.torgb", from: 1)
        case ("convs", 3):
            guard let n = index(parts[1], below: 40) else { return nil }
            return inner(layerNames, "synthesis.b\(8 << (n / 2)).conv\(n % 2)", from: 2)
        case ("to_rgbs", 3):
            guard let m = index(parts[1], below: 20) else { return nil }
            return inner(rgbNames, "synthesis.b\(8 << m).torgb", from: 2)
        case ("noises", 2) where parts[1].hasPrefix("noise_"):
            guard let j = index(String(parts[1].dropFirst("noise_".count)), below: 40) else { return nil }
            let layer = j == 0 ? "synthesis.b4.conv1" : "synthesis.b\(4 << ((j + 1) / 2)).conv\(1 - j % 2)"
            return ("\(layer).noise_const", .dropLeading(2))
        default:
            return nil
        }
    }

    /// A decimal index in canonical form ("3", not "03" or "+3"), below `limit`.
    private static func index(_ text: String, below limit: Int) -> Int? {
        guard let value = Int(text), value >= 0, value < limit, String(value) == text else { return nil }
        return value
    }
}
