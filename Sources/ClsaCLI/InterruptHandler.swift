import CLSA
import Dispatch
import Foundation

/// Ctrl-C during a run: the first asks the run to save and stop after its current step; a
/// second quits at once (the last checkpoint stays intact, as after a kill).
final class InterruptHandler {
    private let source: DispatchSourceSignal
    private var count = 0

    init(cancellation: CancellationFlag) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            count += 1
            if count > 1 { Foundation.exit(130) }
            cancellation.cancel()
            FileHandle.standardError.write(Data(
                "\nclsa: interrupted: saving a checkpoint after this step (Ctrl-C again to quit at once)\n".utf8))
        }
        source.resume()
    }

    /// Restores the default SIGINT behaviour.
    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
