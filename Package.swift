// swift-tools-version: 6.0
import PackageDescription

// Dependencies are deliberate: CI builds from scratch every run. No HTTP client
// stack (async-http-client/NIO): the built-in webhook and email notifiers speak
// HTTP/1.1 and SMTP themselves over POSIX sockets, with TLS from the system's
// OpenSSL (libssl-dev). Not URLSession either: on Linux it is FoundationNetworking,
// which links libcurl and its gnutls/krb5/ldap/nghttp2 dependencies into every start
// of kyniem (~7 MB of resident memory, `kyniem --help` included); libssl costs ~2 MB.
// Other chat services go through the Apprise plugin.
let package = Package(
    name: "kyniem",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "kyniem", targets: ["kyniem"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
    ],
    targets: [
        // Debian's libyaml (libyaml-dev), found through pkg-config `yaml-0.1`.
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // Debian's OpenSSL 3 headers (libssl-dev) for their types only: TLS for the webhook and
        // email notifiers dlopens libssl.so.3 on the first handshake (KyniemTransports/OpenSSL.swift),
        // so other commands never load it (docs/dispatch.md). The shim wraps the macros Swift can't import.
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),
        // prctl(2) (variadic, so Swift cannot call it): the plugin runner becomes a child
        // subreaper, so a plugin's orphans stay within reach (ChildProcess.swift).
        .systemLibrary(name: "CProcessControl"),
        // renameat2(2) RENAME_EXCHANGE and syncfs(2) through syscall(2) (variadic): `kyniem publish`
        // swaps a whole site folder in at once (SiteDirectory.swift).
        .systemLibrary(name: "CFileSwap"),
        // libpq-fe.h (Debian's libpq-dev) for its types only: the PostgreSQL ledger dlopens
        // libpq.so.5 when a `state:` URL needs it, so other commands never load it (docs/dispatch.md).
        .systemLibrary(name: "CLibPQ", providers: [.apt(["libpq-dev"])]),
        // __builtin_prefetch: OccurrenceList reads events in date order, far apart in memory.
        .systemLibrary(name: "CPrefetch"),
        // Pure values and rules: no I/O, no clock, no Foundation.
        .target(name: "KyniemCore", dependencies: ["CPrefetch"]),
        // The floor of I/O: reading the files a configuration names (a regular file only, within
        // a size), for the configuration, templates, plugin manifests and a TLS `ca_file:` alike.
        .target(name: "KyniemFiles"),
        // libyaml event stream -> nodes with marks -> typed decoding.
        .target(name: "KyniemYAML", dependencies: ["CYAML"]),
        .target(name: "KyniemConfig", dependencies: ["KyniemCore", "KyniemFiles", "KyniemYAML"]),
        .target(name: "KyniemRender", dependencies: ["KyniemCore"]),
        .target(
            name: "KyniemState",
            dependencies: ["KyniemCore", "CLibPQ", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The notifiers, in four rooms (imports point down the list, never up):
        // dispatch policy and messages; the wire protocols (sockets, TLS, HTTP, SMTP), which know
        // neither the configuration nor dispatch policy, only Core's values (SendFailure,
        // Redactor, TimeoutText, URLText) and KyniemFiles; external plugins; and the built-in notifier
        // types with the registry keyed by `type:`, which alone knows them all.
        .target(
            name: "KyniemDispatch",
            dependencies: [
                "KyniemCore", "KyniemConfig", "KyniemFiles", .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(name: "KyniemTransports", dependencies: ["KyniemCore", "KyniemFiles", "COpenSSL"]),
        .target(
            name: "KyniemPlugins",
            dependencies: ["KyniemCore", "KyniemConfig", "KyniemFiles", "KyniemYAML", "KyniemDispatch", "CProcessControl"]
        ),
        .target(
            name: "KyniemNotifiers",
            dependencies: [
                "KyniemCore", "KyniemConfig", "KyniemYAML", "KyniemDispatch", "KyniemTransports", "KyniemPlugins",
            ]
        ),
        // `kyniem publish`: the static site (feeds, pages) as values, and the folder it is swapped into.
        .target(name: "KyniemPublish", dependencies: ["KyniemCore", "KyniemConfig", "KyniemRender", "CFileSwap"]),
        // Test doubles shipped with the package: recording notifier, fixed clock.
        .target(name: "KyniemTesting", dependencies: ["KyniemCore", "KyniemDispatch"]),
        .target(
            name: "KyniemCLI",
            dependencies: [
                "KyniemCore", "KyniemConfig", "KyniemRender", "KyniemState", "KyniemDispatch", "KyniemPlugins",
                "KyniemNotifiers", "KyniemPublish",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "kyniem", dependencies: ["KyniemCLI"]),

        .testTarget(name: "KyniemCoreTests", dependencies: ["KyniemCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KyniemYAMLTests", dependencies: ["KyniemYAML"]),
        .testTarget(name: "KyniemConfigTests", dependencies: ["KyniemConfig", "KyniemCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KyniemRenderTests", dependencies: ["KyniemRender", "KyniemCore"], resources: [.copy("Golden")]),
        .testTarget(
            name: "KyniemStateTests",
            dependencies: ["KyniemState", "KyniemCore", "KyniemTesting", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "KyniemNotifiersTests",
            dependencies: [
                "KyniemNotifiers", "KyniemDispatch", "KyniemTransports", "KyniemPlugins", "KyniemTesting", "KyniemCore",
                "KyniemConfig", "KyniemYAML", "KyniemState",
            ]),
        .testTarget(name: "KyniemCLITests", dependencies: ["KyniemCLI", "KyniemCore", "KyniemTesting"]),
        .testTarget(
            name: "KyniemPublishTests", dependencies: ["KyniemPublish", "KyniemConfig", "KyniemCore", "KyniemRender"]),
    ]
)
