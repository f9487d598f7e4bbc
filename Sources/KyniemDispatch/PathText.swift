import Foundation

/// Paths as settings write them: `~/`, relative to the configuration's folder.
package enum PathText {
    package static func resolve(_ path: String, against directory: String?) -> String {
        var expanded = path
        if expanded == "~" || expanded.hasPrefix("~/") {
            expanded = NSHomeDirectory() + expanded.dropFirst()
        }
        if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
        let base = directory ?? FileManager.default.currentDirectoryPath
        return ((base as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
    }

    package static func directory(of path: String) -> String { (path as NSString).deletingLastPathComponent }
}
