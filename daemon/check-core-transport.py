#!/usr/bin/env python3
"""The core has no transport: fails (exit 1, naming file and line) when a core source, or a
local header it includes, includes libsoup, GDBus or an adapter's header, or when the built core
library refers to a libsoup, GDBus or adapter symbol.  Run by the build (daemon/meson.build);
tests/core/test-core-transport.sh shows it refusing a core file that includes <libsoup/soup.h>.

Usage: check-core-transport.py [--stamp FILE] [--lib LIBRARY] --include-dir DIR SOURCE...
"""
import argparse
import os
import re
import subprocess
import sys

# includes a core file may not have: the transports and the adapters' own headers
FORBIDDEN_INCLUDES = [
    (re.compile(r'^\s*#\s*include\s*[<"]libsoup/'), "libsoup"),
    (re.compile(r'^\s*#\s*include\s*[<"]gio/gdbus'), "a GDBus header"),
    (re.compile(r'^\s*#\s*include\s*"(?:[\w/]*/)?mv-(?:http|http-api|http-private|dbus|modules|plugin-routes|auth-adapters|patients-api|audit-api)\.h"'),
     "an adapter's header"),
]
# GDBus is declared by <gio/gio.h>, which the core needs for GTask: its use is what counts
FORBIDDEN_WORDS = re.compile(r'\b(?:g_dbus_\w+|GDBus\w+|soup_\w+|Soup\w+)\b')
FORBIDDEN_SYMBOLS = re.compile(r'^(?:soup_|g_dbus_|mv_http_|mv_dbus_)')
LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def strip_comments(text):
    return re.sub(r'/\*.*?\*/|//[^\n]*', lambda m: '\n' * m.group(0).count('\n'), text, flags=re.S)


def resolve(name, current, include_dir):
    for base in (os.path.dirname(current), include_dir):
        path = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(path):
            return path
    return None  # a generated or SDK header: not the core's own


def check_file(path, include_dir, seen, problems):
    if path in seen:
        return
    seen.add(path)
    with open(path, encoding='utf-8') as f:
        lines = strip_comments(f.read()).split('\n')
    for number, line in enumerate(lines, 1):
        for pattern, what in FORBIDDEN_INCLUDES:
            if pattern.search(line):
                problems.append(f"{path}:{number}: the core includes {what}: {line.strip()}")
        word = FORBIDDEN_WORDS.search(line)
        if word:
            problems.append(f"{path}:{number}: the core uses transport API {word.group(0)}")
        local = LOCAL_INCLUDE.match(line)
        if local:
            header = resolve(local.group(1), path, include_dir)
            if header is not None:
                check_file(header, include_dir, seen, problems)


def check_library(lib, problems):
    out = subprocess.run(['nm', '--undefined-only', '--format=posix', lib], check=True,
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        symbol = line.split()[0] if line.split() else ''
        if FORBIDDEN_SYMBOLS.match(symbol):
            problems.append(f"{lib}: the core library calls {symbol}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--stamp')
    parser.add_argument('--lib')
    parser.add_argument('--include-dir', required=True)
    parser.add_argument('sources', nargs='+')
    args = parser.parse_args()
    problems = []
    seen = set()
    for source in args.sources:
        check_file(os.path.abspath(source), os.path.abspath(args.include_dir), seen, problems)
    if args.lib:
        check_library(args.lib, problems)
    if problems:
        print("the core must not contain transport code (STYLE.md: the engine knows no "
              "transport); move it to the HTTP or D-Bus adapter:", file=sys.stderr)
        for problem in sorted(set(problems)):
            print("  " + problem, file=sys.stderr)
        return 1
    if args.stamp:
        with open(args.stamp, 'w') as f:
            f.write(f"{len(seen)} core files checked\n")
    return 0


if __name__ == '__main__':
    sys.exit(main())
