import ArgumentParser
import Augment
import CLSA

// The library's closed sets, parsed from their raw spellings (those of `config.json`); `--help`
// lists the values.
extension ResNetArchitecture: ExpressibleByArgument {}
extension PretrainingConfiguration.Objective: ExpressibleByArgument {}
extension StrongAugmentation.Pool: ExpressibleByArgument {}
extension StrongAugmentation.MagnitudeSampling: ExpressibleByArgument {}
