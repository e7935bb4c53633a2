/// The GEMMs a process will run, as far as the choice of OpenBLAS's kernel cares: OpenBLAS
/// takes one kernel per process, when it loads, and on some CPUs the fastest one depends on the
/// sizes (`BLASKernel.recommendedCore(for:workload:)`).
public enum BLASWorkload: Sendable {
    /// Any sizes, small ones included: the `fashion-mnist` preset's network (16–192 channels at
    /// 32 px and less, per-thread blocks of a few hundred columns), the tests, a library host.
    case general
    /// Wide products only: a ResNet-50-scale network (256–2,048 channels, layer1 at 56 px for
    /// a 224 px view), whose GEMMs are 10⁷–10⁹ multiply-adds each.
    case wide
}
