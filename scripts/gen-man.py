#!/usr/bin/env python3
"""Writes docs/man/kyniem.1, the man page, from the argument parser's own description of the
commands (`kyniem --experimental-dump-help`), so the page says what `--help` says.

    scripts/gen-man.py [--binary PATH] [--check]

--binary  the kyniem to ask (default: `swift build --show-bin-path`/kyniem, built first)
--check   fail (exit 1) when docs/man/kyniem.1 differs from what would be written

swift-argument-parser's `generate-manual` plugin does the same, but it builds a second copy of
the package in the plugin's sandbox; this script needs only the built binary and python3.
The page carries no date, so it changes only when the commands do.
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, "docs", "man", "kyniem.1")

# What the parser's help does not say: SPEC.md's exit codes, files and environment.
EXIT_STATUS = [
    ("0", "success"),
    ("1", "some deliveries failed; they are retried on the next run"),
    ("2", "invalid configuration or arguments; nothing was done"),
    ("3", "another kyniem run holds the state lock"),
    ("4", "an output could not be written (a full disk, a closed pipe, a folder without write permission); "
          "the reason is on standard error"),
]
FILES = [
    ("./kyniem.yaml", "the configuration, when --config is not given"),
    ("$XDG_CONFIG_HOME/kyniem/kyniem.yaml", "next (default ~/.config/kyniem/kyniem.yaml); without either, "
                                            "the embedded default: the bundled calendars and a console notifier"),
    ("~/.local/state/kyniem/ledger.sqlite", "the delivery ledger (state:, default under $XDG_STATE_HOME)"),
    ("<prefix>/share/kyniem/plugins", "the bundled notifier plugins"),
]
ENVIRONMENT = [
    ("XDG_CONFIG_HOME, XDG_STATE_HOME, HOME", "where the configuration and the ledger are looked for"),
    ("PGPASSWORD, PGPASSFILE", "the password for a PostgreSQL state: (never in the URL); else ~/.pgpass, "
                               "which libpq ignores unless its mode is 0600"),
    ("KYNIEM_PLUGIN_PATH", "plugin folders searched after the configuration's plugins:"),
    ("*_env settings", "secrets (SMTP_PASSWORD, TEAM_WEBHOOK_URL, ...) are read from the variables the "
                       "configuration names, never from the file"),
]


def roff(text):
    """Text safe in a roff line: backslashes escaped, hyphens as minus signs, no control line."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def option_names(argument):
    names = []
    for name in argument.get("names", []):
        names.append(("-" if name["kind"] == "short" else "--") + name["name"])
    return names


def option_label(argument):
    if argument["kind"] == "positional":
        return "\\fI" + roff(argument["valueName"].upper()) + "\\fR"
    label = ", ".join("\\fB" + roff(n) + "\\fR" for n in option_names(argument))
    if argument["kind"] == "option":
        label += " \\fI" + roff(argument["valueName"].upper()) + "\\fR"
    return label


def synopsis_item(argument):
    if argument["kind"] == "positional":
        text = roff(argument["valueName"].upper())
    else:
        names = option_names(argument)
        text = "\\fB" + roff(next((n for n in names if n.startswith("--")), names[0])) + "\\fR"
        if argument["kind"] == "option":
            text += " \\fI" + roff(argument["valueName"].upper()) + "\\fR"
    if argument.get("isRepeating"):
        text += " ..."
    return "[" + text + "]" if argument.get("isOptional") else text


def shown(arguments, root=False):
    """The arguments help shows; `--version` only on the root command, where it belongs."""
    hidden = ("help",) if root else ("help", "version")
    return [a for a in arguments or [] if a.get("shouldDisplay", True) and a.get("valueName") not in hidden]


def options(arguments, root=False):
    out = []
    for argument in shown(arguments, root):
        out.append(".TP")
        out.append(option_label(argument))
        text = argument.get("abstract", "")
        if argument.get("defaultValue") not in (None, ""):
            text += f" (default: {argument['defaultValue']})"
        out.append(roff(text))
    return out


def page(info, version):
    command = info["command"]
    name = command["commandName"]
    def visible(parent):
        return [c for c in parent.get("subcommands", []) if c.get("shouldDisplay", True) and c["commandName"] != "help"]

    # Commands with subcommands of their own (`kyniem ledger list|resend|copy`) are followed by
    # each of them, named in full.
    subcommands = []
    for sub in visible(command):
        subcommands.append(sub)
        for child in visible(sub):
            subcommands.append(dict(child, commandName=f"{sub['commandName']} {child['commandName']}"))
    out = [
        f'.TH {name.upper()} 1 "" "{name} {roff(version)}" "User Commands"',
        ".SH NAME",
        f"{name} \\- " + roff(command.get("abstract", "")),
        ".SH SYNOPSIS",
    ]
    for sub in subcommands:
        items = " ".join(synopsis_item(a) for a in shown(sub.get("arguments")))
        out += [".PP", f"\\fB{name} {sub['commandName']}\\fR {items}".rstrip()]
    out += [".PP", f"\\fB{name} \\-\\-version\\fR", ".PP", f"\\fB{name}\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR"]
    out += [".SH DESCRIPTION", roff(command.get("abstract", ""))]
    out += [".SH OPTIONS"] + options(command.get("arguments"), root=True)
    out.append(".SH COMMANDS")
    for sub in subcommands:
        out += [".SS " + roff(f"{name} {sub['commandName']}"), roff(sub.get("abstract", ""))]
        if sub.get("discussion"):
            out += [".PP", roff(sub["discussion"])]
        out += options(sub.get("arguments"))
    out.append(".SH EXIT STATUS")
    for code, meaning in EXIT_STATUS:
        out += [".TP", f"\\fB{code}\\fR", roff(meaning)]
    out.append(".SH FILES")
    for path, meaning in FILES:
        out += [".TP", "\\fI" + roff(path) + "\\fR", roff(meaning)]
    out.append(".SH ENVIRONMENT")
    for variable, meaning in ENVIRONMENT:
        out += [".TP", "\\fB" + roff(variable) + "\\fR", roff(meaning)]
    out += [
        ".SH SEE ALSO",
        roff("README.md and docs/ in the kyniem repository: the configuration, the calendars, dispatch "
             "and plugins. Shell completions: kyniem --generate-completion-script bash|zsh|fish."),
    ]
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    binary = args.binary
    if binary is None:
        subprocess.run(["swift", "build", "--product", "kyniem"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout.strip()
        binary = os.path.join(bin_path, "kyniem")
    info = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True,
                                     capture_output=True, text=True).stdout)
    version = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    text = page(info, version)
    if args.check:
        current = open(PAGE, encoding="utf-8").read() if os.path.exists(PAGE) else ""
        if current != text:
            print(f"{os.path.relpath(PAGE, ROOT)} is out of date: run scripts/gen-man.py", file=sys.stderr)
            return 1
        return 0
    os.makedirs(os.path.dirname(PAGE), exist_ok=True)
    with open(PAGE, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
