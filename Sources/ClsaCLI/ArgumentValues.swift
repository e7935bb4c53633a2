import ArgumentParser
import Augment
import CLSA
import Foundation

// The library's closed sets, parsed from their raw spellings (those of `config.json`); `--help`
// lists the values.
extension ResNetArchitecture: ExpressibleByArgument {}
extension PretrainingConfiguration.Objective: ExpressibleByArgument {}
extension StrongAugmentation.Pool: ExpressibleByArgument {}
extension StrongAugmentation.MagnitudeSampling: ExpressibleByArgument {}
extension BlurPolicy: ExpressibleByArgument {}

/// Pixel sides given as a comma-separated list: `224,192,160,128,96`.
struct SizeList: ExpressibleByArgument {
    let sizes: [Int]

    init?(argument: String) {
        let sizes = argument.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 != nil }) else { return nil }
        self.sizes = sizes.map { $0! }
    }
}

/// Positive numbers given as a comma-separated list: `0.01,0.1,1`.
struct NumberList: ExpressibleByArgument {
    let values: [Double]

    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false).map {
            Double($0.trimmingCharacters(in: .whitespaces))
        }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        self.values = values.map { $0! }
    }
}
