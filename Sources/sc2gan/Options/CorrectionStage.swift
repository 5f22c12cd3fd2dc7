import ArgumentParser

/// The stages of `correct --workdir`: what each job of `sc2gan slurm correct` runs.
enum CorrectionStage: String, CaseIterable, ExpressibleByArgument {
    /// Everything in this process, resuming from what the work folder holds.
    case all
    /// Dense sampling (one shard with --shard).
    case sample
    /// Merge the samples, fit the base and conditional directions, choose the rows: the plan.
    case fit
    /// Synthesis and re-projection units of the plan (one shard with --shard).
    case synthesis
    /// Rounds and re-fit from the units: the corrected direction and the report.
    case refit
}
