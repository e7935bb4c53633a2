/// One recorded operation of the autograd graph: the slots of the inputs it read that need
/// gradients, and the rule that turns the gradient of its output into gradients of those inputs.
///
/// `backward` receives the output's gradient (same shape as the output) and accumulates into
/// the inputs' slots. It captures whatever the forward pass saved, and nothing else.
final class GradientNode {
    let name: String
    let inputs: [GradientSlot]
    let backward: (_ outputGradient: Tensor) -> Void

    init(name: String, inputs: [GradientSlot], backward: @escaping (_ outputGradient: Tensor) -> Void) {
        self.name = name
        self.inputs = inputs
        self.backward = backward
    }
}
