import Foundation
import Tensor

BLASRuntime.reexecWithTunedKernelIfNeeded()
SC2GAN.main()
