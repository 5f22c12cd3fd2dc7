import ArgumentParser
import Foundation

struct SC2GAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sc2gan",
        abstract: "See and fix entanglement in a StyleGAN2's latent space.",
        discussion: """
        With no subcommand, opens the terminal explorer on the default FaceWorld model.
        """,
        subcommands: [ExploreCommand.self, GenerateCommand.self, ScoreCommand.self, SampleCommand.self, DirectionsCommand.self, CorrectCommand.self, EditCommand.self, EvaluateCommand.self, ProjectCommand.self, FaceWorldCommand.self, BenchCommand.self, SlurmCommand.self, KernelCommand.self],
        defaultSubcommand: ExploreCommand.self
    )
}
