import Foundation
import XCTest
@testable import Augment

/// The Debian package's Fashion-MNIST for the tests that read it. `Scripts/test` installs it and
/// sets `CLSA_REQUIRE_FASHION_MNIST=1`, so there a missing dataset fails these tests; elsewhere
/// (a plain `swift test` on a machine without it) they are skipped, saying why.
enum InstalledFashionMNIST {
    static func split(_ split: FashionMNIST.Split) throws -> IDXDataset {
        let (images, labels) = FashionMNIST.files(of: split)
        let installed = FileManager.default.fileExists(atPath: images) && FileManager.default.fileExists(atPath: labels)
        if !installed && ProcessInfo.processInfo.environment["CLSA_REQUIRE_FASHION_MNIST"] == "1" {
            throw Missing(files: [images, labels])
        }
        try XCTSkipUnless(installed, "\(FashionMNIST.debianPackage) is not installed")
        return try FashionMNIST.dataset(split)
    }

    struct Missing: Error, CustomStringConvertible {
        let files: [String]
        var description: String {
            "CLSA_REQUIRE_FASHION_MNIST=1 but \(files.joined(separator: " or ")) is missing: install \(FashionMNIST.debianPackage)"
        }
    }
}
