/// The library's version, recorded in run configurations and checkpoint metadata.
public enum CLSAVersion {
    public static let string = "0.2.0"
}
