import Foundation

/// Runs the built `kyniem` binary (beside the test bundle in the products folder) as a user would.
struct Kyniem {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let binary: URL = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("kyniem")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        // `swift test` builds every product; fall back to the package's default build folder.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/kyniem")
    }()

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A fresh folder with no configuration, used as the working folder and HOME.
    static func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kyniem-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @discardableResult
    static func run(
        _ arguments: [String], in folder: URL? = nil, executable: URL = binary, environment extra: [String: String] = [:]
    ) throws -> Result {
        let folder = folder ?? temporaryFolder()
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var environment = ["HOME": folder.path, "PATH": "/usr/bin:/bin", "XDG_STATE_HOME": folder.appendingPathComponent("state").path]
        environment.merge(extra) { $1 }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

extension Kyniem {
    /// Runs a bash script with `$KYNIEM` set to the binary, for what `Process` cannot set up
    /// (stdout on /dev/full, a closed pipe, a file-size limit). Each command in the script should
    /// run under `timeout` so that a hang fails the test instead of stalling it.
    @discardableResult
    static func shell(_ script: String, in folder: URL? = nil) throws -> Result {
        try run(["-c", script], in: folder, executable: URL(fileURLWithPath: "/bin/bash"),
                environment: ["KYNIEM": binary.path])
    }
}
