import ArgumentParser
import Foundation

struct SC2GAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sc2gan",
        abstract: "See and fix entanglement in a StyleGAN2's latent space.",
        discussion: """
        With no subcommand, opens the terminal explorer on the default FaceWorld model.
        """,
        subcommands: [GenerateCommand.self, FaceWorldCommand.self, BenchCommand.self]
    )
}
