import Foundation

ProcessPolicy.apply()
do {
    var command = try SC2GAN.parseAsRoot()
    try command.run()
} catch {
    SC2GAN.exit(withError: FlagErrors.mapped(error))
}
