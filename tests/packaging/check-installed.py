#!/usr/bin/env python3
"""What `meson install` would install from this build (meson introspect --installed): nothing
built from tests/ (test plugins, test programs), and in the daemon's plugin directory exactly
the shipped plugins (never the example bmi.so, which goes to the -dev doc dir as source).

    check-installed.py MESON BUILD-DIR PLUGINDIR PLUGIN...
"""
import json
import os
import subprocess
import sys


def main():
    meson, build_dir, plugindir = sys.argv[1:4]
    shipped = sorted(name + ".so" for name in sys.argv[4:])
    out = subprocess.run([meson, "introspect", "--installed", build_dir], check=True,
                         capture_output=True, text=True).stdout
    installed = json.loads(out)
    problems = []
    tests_dir = os.path.join(os.path.realpath(build_dir), "tests") + os.sep
    for source, dest in sorted(installed.items()):
        if os.path.realpath(source).startswith(tests_dir):
            problems.append("a test file is installed: %s -> %s" % (source, dest))
    in_plugindir = sorted(os.path.basename(d) for d in installed.values()
                          if os.path.dirname(d) == plugindir)
    if in_plugindir != shipped:
        problems.append("the plugin directory %s gets %s, expected %s"
                        % (plugindir, in_plugindir, shipped))
    examples = [d for d in installed.values() if "/examples/bmi/" in d]
    if not any(d.endswith("/bmi.c") for d in examples):
        problems.append("the example's source is not installed as documentation")
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print("%d files installed; plugin directory: %s" % (len(installed), ", ".join(in_plugindir)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
