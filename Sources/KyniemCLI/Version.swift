/// kyniem's version: `kyniem --version` prints it, and the man page carries it. Bumped, with
/// a tag `vX.Y.Z`, when a release is cut.
public enum KyniemVersion {
    public static let current = "0.10.0"
}
