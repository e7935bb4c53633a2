import TensorCore

/// A CRC-32 of every state entry of a module (parameters, running statistics, counters), to
/// prove afterwards that a frozen network was left untouched — MoCo's `sanity_check` for linear
/// evaluation, without holding a second copy of the weights.
///
/// ```swift
/// let before = StateFingerprint(of: backbone)
/// … train a classifier on its features …
/// try before.verifyUnchanged(backbone)      // throws EvaluationError.backboneChanged
/// ```
public struct StateFingerprint: Equatable, Sendable {
    /// Each entry's name and the CRC-32 of its bytes (F32 data, or the I64 value), in state order.
    public let entries: [Entry]

    public struct Entry: Equatable, Sendable {
        public let name: String
        public let checksum: UInt32
    }

    public init(of module: Module) {
        entries = module.state.map { entry in
            let checksum: UInt32
            switch entry.value {
            case .float(let tensor):
                checksum = crc32Of(UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * MemoryLayout<Float>.size))
            case .int64(let counter):
                checksum = withUnsafeBytes(of: counter.value.littleEndian) { crc32Of($0) }
            }
            return Entry(name: entry.name, checksum: checksum)
        }
    }

    /// Names whose contents differ from `other`'s, plus names present in only one of them.
    public func changedEntries(comparedTo other: StateFingerprint) -> [String] {
        let theirs = Dictionary(other.entries.map { ($0.name, $0.checksum) }, uniquingKeysWith: { first, _ in first })
        let mine = Set(entries.map(\.name))
        return entries.filter { theirs[$0.name] != $0.checksum }.map(\.name)
            + other.entries.map(\.name).filter { !mine.contains($0) }
    }

    /// - Throws: `EvaluationError.backboneChanged` naming the entries of `module` that differ
    ///   from this fingerprint.
    public func verifyUnchanged(_ module: Module) throws {
        let changed = StateFingerprint(of: module).changedEntries(comparedTo: self)
        guard changed.isEmpty else { throw EvaluationError.backboneChanged(changed) }
    }
}
