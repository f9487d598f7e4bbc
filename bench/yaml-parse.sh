#!/usr/bin/env bash
# Times KyniemYAML against libyaml itself on a generated calendar of many events.
#
#   bench/yaml-parse.sh            # 100,000 events (~10 MB), 7 runs each, best and median
#   EVENTS=20000 RUNS=3 bench/yaml-parse.sh
#
# Three figures, all in one process per measurement, file already in memory:
#   floor-c      libyaml's yaml_parser_parse loop in C, doing nothing with events
#   floor-swift  the same loop called from Swift (what our parser cannot go below)
#   tree         YAMLParser.parse: events -> YAMLNode tree with marks
# The Swift code is compiled with -O and whole-module optimisation, like
# `swift build -c release`, without building the rest of the package.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${EVENTS:-100000}
runs=${RUNS:-7}
work=$(mktemp -d "${TMPDIR:-/tmp}/kyniem-yaml-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

awk -v n="$events" 'BEGIN {
    split("JP LA US FR DE KR CN TH NO SE", country, " ")
    print "events:"
    for (i = 1; i <= n; i++) {
        printf "  - id: ev-%06d\n    kind: custom\n    country: %s\n", i, country[i % 10 + 1]
        printf "    title: {vi: \"Sự kiện số %d\", en: \"Event number %d\"}\n", i, i
        if (i % 3 == 0)      printf "    date: %04d-%02d-%02d\n", 1900 + i % 120, i % 12 + 1, i % 28 + 1
        else if (i % 3 == 1) printf "    date: {month: %d, day: %d}\n", i % 12 + 1, i % 28 + 1
        else                 printf "    lunar: {month: %d, day: %d}\n", i % 12 + 1, i % 29 + 1
    }
}' > "$work/events.yaml"

cat > "$work/floor.c" <<'C'
#include <yaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1], "rb"); fseek(f, 0, SEEK_END); long n = ftell(f); rewind(f);
    unsigned char *buf = malloc(n); if (fread(buf, 1, n, f) != (size_t)n) return 1; fclose(f);
    double t0 = now();
    yaml_parser_t p; yaml_event_t e; long count = 0;
    yaml_parser_initialize(&p); yaml_parser_set_input_string(&p, buf, n);
    for (;;) {
        if (!yaml_parser_parse(&p, &e)) { fprintf(stderr, "parse error\n"); return 1; }
        int done = e.type == YAML_STREAM_END_EVENT; count++; yaml_event_delete(&e);
        if (done) break;
    }
    yaml_parser_delete(&p);
    printf("%.1f %ld\n", now() - t0, count);
    return 0;
}
C

cat > "$work/main.swift" <<'SWIFT'
import CYAML
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6
}

/// libyaml's event loop, nothing else.
func floor(_ bytes: [UInt8]) -> Int {
    bytes.withUnsafeBufferPointer { buffer in
        var parser = yaml_parser_t()
        var event = yaml_event_t()
        var count = 0
        yaml_parser_initialize(&parser)
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { fatalError("parse error") }
            let done = event.type == YAML_STREAM_END_EVENT
            count += 1
            yaml_event_delete(&event)
            if done { break }
        }
        yaml_parser_delete(&parser)
        return count
    }
}

extension Double { var rounded1: Double { (self * 10).rounded() / 10 } }

func nodes(_ node: YAMLNode) -> Int {
    switch node.value {
    case .scalar: return 1
    case .sequence(let items): return items.reduce(1) { $0 + nodes($1) }
    case .mapping(let entries): return entries.reduce(1) { $0 + nodes($1.key) + nodes($1.value) }
    }
}

let args = CommandLine.arguments
guard case .success(let bytes) = YAMLParser.readFile(args[2]) else { fatalError("cannot read \(args[2])") }
let start = now()
switch args[1] {
case "floor":
    let count = floor(bytes)
    print((now() - start).rounded1, count)
default:
    let root = try YAMLParser.parse(bytes, file: "events.yaml")!
    let elapsed = now() - start
    print(elapsed.rounded1, nodes(root))
}
SWIFT

cc -O2 -o "$work/floor-c" "$work/floor.c" -lyaml
swiftc -O -wmo -swift-version 6 -module-name KyniemYAML -I Sources/CYAML \
    Sources/KyniemYAML/*.swift "$work/main.swift" -o "$work/bench" -lyaml 2>&1 | grep -v '^$' || true
test -x "$work/bench"

size=$(wc -c < "$work/events.yaml")
echo "file: $events events, $((size / 1000)) kB"

measure() {  # name command...
    local name=$1; shift
    local times=() extra
    for _ in $(seq "$runs"); do
        read -r t extra < <("$@")
        times+=("$t")
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    best=$(echo "$sorted" | head -1)
    median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
    printf '%-12s best %8s ms   median %8s ms   (%s)\n' "$name" "$best" "$median" "$extra"
}
measure floor-c "$work/floor-c" "$work/events.yaml"
measure floor-swift "$work/bench" floor "$work/events.yaml"
measure tree "$work/bench" tree "$work/events.yaml"
