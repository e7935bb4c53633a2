import Foundation
@testable import Augment

/// Collects the loader's warning lines, from whichever thread sends them.
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storedLines: [String] = []

    var lines: [String] { lock.withLock { storedLines } }

    var sink: DataLoader.WarningSink {
        { [self] line in lock.withLock { storedLines.append(line) } }
    }
}
