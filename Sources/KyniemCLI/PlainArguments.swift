/// The plainest uses of a command's long options, read without swift-argument-parser.
///
/// Building argument-parser's model of a command (reflection over its property wrappers, a type
/// lookup by mangled name for every option, protocol-conformance scans over the whole binary)
/// was about half of the instructions of `kyniem upcoming --from … --days 1` on the bundled
/// data. This reads only what argument-parser would read the same way: `--name value` and
/// `--name=value` for names the command declares, each single-value name at most once, a long
/// flag (`--dry-run`) at most once and with no value, and no
/// value that is empty, starts with `-` or (inline) holds a second `=`. Anything else (help,
/// `--version`, a short or unknown option, a positional, a value argument-parser would decide
/// about) gives nil, and the caller hands the arguments to argument-parser, whose output, errors
/// and exit codes stay the only ones (ArgumentParsingTests compares the two).
enum PlainArguments {
    /// Every value given, by option name (without `--`), or nil when `arguments` is not plain.
    /// `single`: options taking one value; `repeated`: options that may be given again; `flags`:
    /// flags taking no value, given as the name with an empty list of values.
    static func options(
        _ arguments: ArraySlice<String>, single: Set<String>, repeated: Set<String>, flags: Set<String> = []
    ) -> [String: [String]]? {
        var values: [String: [String]] = [:]
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            guard argument.hasPrefix("--") else { return nil }
            let body = argument.dropFirst(2)
            if flags.contains(String(body)) {
                guard values[String(body)] == nil else { return nil }
                values[String(body)] = []
                index += 1
                continue
            }
            let name: Substring
            let value: Substring
            if let equals = body.firstIndex(of: "=") {
                name = body[..<equals]
                value = body[body.index(after: equals)...]
                guard !value.contains("=") else { return nil }
                index += 1
            } else {
                name = body
                let next = index + 1
                guard next < arguments.endIndex else { return nil }
                value = Substring(arguments[next])
                index += 2
            }
            let key = String(name)
            guard !value.isEmpty, !value.hasPrefix("-") else { return nil }
            if single.contains(key) {
                guard values[key] == nil else { return nil }
            } else if !repeated.contains(key) {
                return nil
            }
            values[key, default: []].append(String(value))
        }
        return values
    }
}

/// What a command was asked, read from its arguments by `PlainArguments` when they are plain
/// (`init?(plain:)`, nil otherwise), and run: what `KyniemMain.plainCommand` dispatches to.
protocol PlainRequest {
    init?(plain arguments: ArraySlice<String>)
    func run() throws
}
