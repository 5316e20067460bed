#!/usr/bin/env bash
# Checks that every relative link in the documentation resolves: the file (or
# folder) exists inside the repository, and a `#anchor` names a heading of the
# target Markdown file, with GitHub's anchor rules (lower-cased; punctuation
# other than `-` and `_` dropped; spaces become `-`; a repeated heading gets
# `-1`, `-2`, ...). Links with a scheme (https:, mailto:) are not checked.
# Fenced code blocks and inline code are skipped.
#
#   scripts/check-links.sh              README.md and docs/*.md
#   scripts/check-links.sh FILE.md ...  those files
#
# Prints one line per broken link (file:line: target: why) and exits 1 if
# there is any, 0 otherwise. Needs only bash and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -eq 0 ]; then
  set -- README.md docs/*.md
fi

exec python3 - "$@" <<'PY'
import os
import re
import sys

ROOT = os.path.realpath(os.getcwd())
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)>?(?:\s+[\"'(][^)]*)?\s*\)")
REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")


def lines_outside_fences(text):
    """(line number, line) for every line outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.split("\n"), 1):
        m = FENCE.match(line)
        if fence is None:
            if m:
                fence = m.group(1)
                continue
            yield number, line
        elif m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and line.strip() == m.group(1):
            fence = None


def slug(heading):
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links: their text
    text = re.sub(r"<[^>]+>", "", text)                          # inline HTML tags
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


_anchors = {}


def anchors(path):
    """Every heading anchor of a Markdown file."""
    if path not in _anchors:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        found, seen = set(), {}
        previous = ""
        for _, line in lines_outside_fences(text):
            heading = None
            m = ATX.match(line)
            if m:
                heading = m.group(2)
            elif SETEXT.match(line) and previous.strip() and not previous.lstrip().startswith(("|", "-", "*", "+", ">")):
                heading = previous.strip()
            previous = "" if heading is not None else line
            if heading is None:
                continue
            base = slug(heading)
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
        _anchors[path] = found
    return _anchors[path]


def check(source):
    problems = []
    with open(source, encoding="utf-8") as f:
        text = f.read()
    base_dir = os.path.dirname(os.path.abspath(source))
    for number, line in lines_outside_fences(text):
        plain = INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)
        targets = [m.group(1) for m in LINK.finditer(plain)]
        m = REFDEF.match(plain)
        if m:
            targets.append(m.group(1))
        for target in targets:
            if not target or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", target) or target.startswith("//"):
                continue  # empty, or a URL with a scheme
            path_part, _, anchor = target.partition("#")
            if path_part:
                resolved = os.path.realpath(os.path.join(base_dir, path_part))
                if resolved != ROOT and not resolved.startswith(ROOT + os.sep):
                    problems.append((number, target, "points outside the repository"))
                    continue
                if not os.path.exists(resolved):
                    problems.append((number, target, "no such file"))
                    continue
            else:
                resolved = os.path.abspath(source)
            if anchor:
                if os.path.isdir(resolved) or not resolved.endswith(".md"):
                    problems.append((number, target, "an anchor into a file that is not Markdown"))
                elif anchor not in anchors(resolved):
                    problems.append((number, target, f"no heading with anchor #{anchor} in {os.path.relpath(resolved, ROOT)}"))
    return problems


broken = 0
for source in sys.argv[1:]:
    if not os.path.isfile(source):
        print(f"{source}: no such file", file=sys.stderr)
        broken += 1
        continue
    for number, target, why in check(source):
        print(f"{source}:{number}: broken link {target}: {why}")
        broken += 1
if broken:
    print(f"check-links: {broken} broken link{'s' if broken != 1 else ''}", file=sys.stderr)
    sys.exit(1)
print(f"check-links: every relative link in {len(sys.argv) - 1} file{'s' if len(sys.argv) != 2 else ''} resolves")
PY
