import Foundation

ProcessPolicy.apply()
SC2GAN.main()
