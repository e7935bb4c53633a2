extension SafeTensorsReader.Entry {
    /// Parses and checks the header entry of tensor `name` (`{"dtype": …, "shape": […],
    /// "data_offsets": [begin, end]}`): a known dtype, dimensions that are not negative, a
    /// byte range (in bytes from the start of the `dataLength`-byte data section) that lies inside
    /// it, and a byte size that does not overflow and equals the range's.
    /// - Throws: `CheckpointError` naming `file`, the tensor and what is wrong.
    init(name: String, header value: Any, dataLength: Int, file: String) throws {
        func fail(_ reason: String) -> CheckpointError { CheckpointError(file: file, reason) }
        guard let info = value as? [String: Any],
              let dtypeName = info["dtype"] as? String,
              let shape = info["shape"] as? [Int],
              let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
            throw fail("damaged: bad header entry for '\(name)' (dtype, shape and data_offsets must be a string, "
                       + "an array of integers and two integers)")
        }
        guard let dtype = SafeTensorsReader.DType(rawValue: dtypeName) else {
            throw fail("tensor '\(name)' has unsupported dtype \(dtypeName) (F32 and I64 are read)")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw fail("damaged: tensor '\(name)' has a negative dimension in its shape \(shape)")
        }
        guard offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw fail("damaged: tensor '\(name)' has byte range \(offsets), which is negative or reversed")
        }
        guard offsets[1] <= dataLength else {
            throw fail("truncated: tensor '\(name)' ends at byte \(offsets[1]) of a \(dataLength)-byte data section")
        }
        let byteCount = shape.reduce(Optional(dtype.byteWidth)) { product, dimension in
            product.flatMap { product in
                let (result, overflow) = product.multipliedReportingOverflow(by: dimension)
                return overflow ? nil : result
            }
        }
        guard let byteCount else {
            throw fail("damaged: tensor '\(name)' has shape \(shape), whose size overflows a 64-bit byte count")
        }
        guard offsets[1] - offsets[0] == byteCount else {
            throw fail("damaged: tensor '\(name)' of shape \(shape) has byte range \(offsets), not \(byteCount) bytes")
        }
        self.init(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
    }
}
