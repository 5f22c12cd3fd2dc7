/// Which generator of a training checkpoint to load. Training checkpoints hold two: the
/// moving average of the weights that everyone samples from (rosinality's `g_ema`, NVIDIA's
/// `G_ema`) and the network the optimiser updates (`g` / `G`). Files with one generator (a
/// state dict, safetensors) hold only the first kind.
public enum GeneratorChoice: String, Sendable, CaseIterable {
    case ema = "g_ema"
    case training = "g"

    /// Prefixes of the stored names that belong to this generator.
    var prefixes: [String] {
        switch self {
        case .ema: return ["g_ema.", "G_ema."]
        case .training: return ["g.", "G."]
        }
    }
}
