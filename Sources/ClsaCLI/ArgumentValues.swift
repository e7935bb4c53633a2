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
extension RunSettings.FinalProbe: ExpressibleByArgument {}

/// Values given as a comma-separated list: pixel sides `224,192,160,128,96`, rates `0.01,0.1,1`.
struct CommaSeparated<Element: LosslessStringConvertible>: ExpressibleByArgument {
    let values: [Element]

    init?(argument: String) {
        let values = argument.split(separator: ",", omittingEmptySubsequences: false).map {
            Element($0.trimmingCharacters(in: .whitespaces))
        }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        self.values = values.map { $0! }
    }
}
