#!/usr/bin/env python3
"""Select the real GitHub API objects committed under Tests/Fixtures/github-real.

The objects come from the shared corpus (issues.json, pull_requests.json and the SOURCES.md
that gives each object's provenance: source repository, file, request, recording date; and each
source repository's licence and commit). This script copies a hand-picked subset, only from
permissively licensed source repositories (MIT, BSD, Apache), and writes, beside it, a
SOURCES.md that names for every object its repository, commit, path and licence.

Objects are copied unchanged: the output files use the corpus's own layout (a JSON array,
one-space indent, UTF-8 left unescaped), so every object's text is byte-for-byte its text in the
corpus file, and the script checks exactly that before writing.

Usage (from the package root; the tests never run this):
    python3 scripts/curate-fixtures.py [--corpus ../shared/corpus/github-real] [--out Tests/Fixtures/github-real]
    python3 scripts/curate-fixtures.py --check     # compare with the committed files, write nothing

Standard library only.
"""

import argparse
import json
import os
import re
import sys

# Picks: (index in the corpus file, repository, number, why). The repository and number are
# checked against the corpus SOURCES.md row of that index, so a re-ordered corpus fails loudly
# instead of silently picking other objects.
PULL_REQUEST_PICKS = [
    (20, "artsy/eigen", 800, "closed unmerged; no `draft` key (older shape); the same PR as an issue is picked too"),
    (21, "danger/danger", 518, "open; open milestone; title `Fixes #384`"),
    (23, "SwiftWeekly/swiftweekly.github.io", 89, "merged; created_at `2016-09-15 05:52:11 UTC`, a wrong-type timestamp (reject)"),
    (47, "hub4j-test-org/github-api", 427, "open; three labels with `description`; `draft` false"),
    (61, "kgromov/temp-testSearchPullRequests", 1, "open draft (`draft` true); the same PR as an issue is picked too"),
    (93, "github3py/delete_contents", 2, "open; null body; the same PR as an issue is picked too"),
    (95, "sigmavirus24/github3.py", 119, "closed unmerged; label; closed milestone"),
    (96, "sigmavirus24/github3.py", 235, "merged; the same PR as an issue is picked too"),
    (99, "sigmavirus24/github3.py", 423, "merged"),
    (103, "sigmavirus24/github3.py", 873, "merged; body `Closes #787`"),
]

ISSUE_PICKS = [
    (307, "artsy/eigen", 800, "PR seen as an issue; two labels of the old shape {url, name, color}"),
    (308, "SwiftWeekly/swiftweekly.github.io", 89, "PR seen as an issue (its PR object has a wrong-type created_at; this one is ISO)"),
    (309, "skywinder/changelog_test", 1, "PR seen as an issue; old-shape label"),
    (310, "skywinder/changelog_test", 2, "PR seen as an issue; null body"),
    (311, "skywinder/changelog_test", 3, "issue; target of #4's `fix #3`"),
    (312, "skywinder/changelog_test", 4, "closing reference in the title (`fix #3.`), empty body"),
    (319, "skywinder/changelog_test", 11, "issue; old-shape label `Bug`"),
    (320, "skywinder/changelog_test", 12, "issue; target of #13"),
    (321, "skywinder/changelog_test", 13, "`close #12` in the title and `Fix #12` in the body (one link)"),
    (322, "skywinder/changelog_test", 14, "empty body"),
    (362, "hub4j/github-api", 1, "oldest issue (2011); PR seen as an issue"),
    (379, "hub4j/github-api", 18, "PR seen as an issue; empty body"),
    (416, "hub4j/github-api", 55, "issue; target of #56"),
    (417, "hub4j/github-api", 56, "body `Fixes #55`"),
    (574, "hub4j/github-api", 216, "two labels with `description`; `fixes #215`"),
    (576, "hub4j/github-api", 218, "issue with label `bug`"),
    (626, "hub4j/github-api", 269, "issue; target of #270"),
    (627, "hub4j/github-api", 270, "`[#269]` in the title (no keyword), `Fixes #269.` in the body"),
    (667, "hub4j/github-api", 311, "`reactions`, `timeline_url`; empty body"),
    (744, "hub4j/github-api", 392, "PR seen as an issue; null body"),
    (949, "hub4j/github-api", 639, "two labels with `description`"),
    (330, "chids/project-milestone-test", 1, "open milestone; empty body"),
    (341, "hub4j-test-org/github-api", 264, "open PR seen as an issue; label without `description`"),
    (343, "hub4j-test-org/github-api", 313, "closed; label; null body"),
    (348, "hub4j-test-org/github-api", 488, "newest shape (2026: sub_issues_summary, issue_dependencies_summary, ...); open milestone; null body"),
    (349, "hub4j-test-org/github-api", 489, "newest shape, closed with `state_reason`"),
    (968, "kgromov/temp-testPullRequestSearch", 1, "PR seen as an issue with `draft` false and `state_reason`"),
    (969, "kgromov/temp-testSearchPullRequests", 1, "PR seen as an issue with `draft` true"),
    (971, "kohsuke/test", 3, "closed issue with `reactions`"),
    (972, "kohsuke/test", 4, "closed milestone; label `bug`"),
    (990, "<GITHUB_LOGIN>/<GITHUB_TEST_REPOSITORY>", 10, "old API shape: no `repository_url`, no `node_id` (record-time placeholders in names)"),
    (1015, "api-playground/<GITHUB_TEST_REPOSITORY>", 103, "old API shape, PR seen as an issue (record-time placeholder in the repo name)"),
    (1018, "sferik/rails_admin", 2711, "issue; target of #2712"),
    (1019, "sferik/rails_admin", 2712, "body `Fixes https://github.com/sferik/rails_admin/issues/2711`"),
    (1021, "sferik/rails_admin", 2720, "PR seen as an issue; old-shape label `needs test`"),
    (1046, "betamaxpy/betamax", 1, "labels {id, url, name, color, default}, one with an apostrophe"),
    (1050, "betamaxpy/betamax", 5, "two labels; empty body"),
    (1117, "betamaxpy/betamax", 72, "closed milestone; `Closes #12`"),
    (1142, "betamaxpy/betamax", 97, "open milestone on a closed issue"),
    (1180, "betamaxpy/betamax", 135, "issue; target of #136"),
    (1181, "betamaxpy/betamax", 136, "`Closes: #135` (keyword with a colon)"),
    (1189, "betamaxpy/betamax", 144, "`Fixes https://github.com/sigmavirus24/betamax/issues/143` (another repo)"),
    (1190, "betamaxpy/betamax", 145, "three labels including `good first issue`"),
    (1197, "github3py/delete_contents", 2, "PR seen as an issue; empty body"),
    (1200, "github3py/fork_this", 22, "null body; `reactions`, `timeline_url`"),
    (1203, "sigmavirus24/github3.py", 187, "five labels with `node_id`"),
    (1206, "sigmavirus24/github3.py", 235, "merged PR seen as an issue; `reactions`"),
    (1209, "sigmavirus24/github3.py", 509, "open; labels `backport`, `blocked`"),
]

# Copyright lines of the source repositories' licence files (the permission notices below apply).
COPYRIGHT = {
    "hub4j/github-api": "Copyright (c) 2011- Kohsuke Kawaguchi and other contributors",
    "sigmavirus24/github3.py": "Copyright (c) 2012, Ian Stapleton Cordasco",
    "octokit/octokit.rb": "Copyright (c) 2011-2013 Wynn Netherland, Adam Stacoviak, Erik Michaels-Ober",
    "github-changelog-generator/github-changelog-generator": "Copyright (c) 2016-2017 Petr Korolev",
    "danger/danger": "Copyright (c) 2018 Orta, Felix Krause",
}

PERMISSIVE = re.compile(r"^(MIT|BSD-[23]-Clause|Apache-2\.0)\b")

# The corpus notes that these hub4j/github-api PRs may have been edited by hand for their tests.
EXCLUDED_PULL_REQUESTS = {25, 26, 43}


def dump(objects):
    """The corpus's own layout: a JSON array, one-space indent, UTF-8 unescaped, final newline."""
    return json.dumps(objects, indent=1, ensure_ascii=False) + "\n"


def table_after(lines, heading):
    """Rows (lists of cells) of the first Markdown table after `heading`."""
    i = lines.index(heading) + 1
    while not lines[i].startswith("|"):
        i += 1
    i += 2  # header and separator
    rows = []
    while i < len(lines) and lines[i].startswith("|"):
        rows.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
        i += 1
    return rows


def unquote(cell):
    return cell[1:-1] if cell.startswith("`") and cell.endswith("`") else cell


def read_sources(corpus):
    lines = open(os.path.join(corpus, "SOURCES.md"), encoding="utf-8").read().splitlines()
    repos = {}
    for repo, licence, commit, what in table_after(lines, "## Source repositories"):
        repos[repo] = {"licence": licence, "commit": unquote(commit), "what": what}
    per_object = {}
    for name, heading in [("issues.json", "## issues.json — per-object provenance"),
                          ("pull_requests.json", "## pull_requests.json — per-object provenance")]:
        rows = {}
        for index, repository, number, source, path, request, recorded in table_after(lines, heading):
            rows[int(index)] = {"repository": repository, "number": int(number), "source": source,
                                "path": unquote(path), "request": unquote(request), "recorded": recorded}
        per_object[name] = rows
    return repos, per_object


def select(corpus, name, picks, repos, rows, excluded=()):
    raw = open(os.path.join(corpus, name), encoding="utf-8").read()
    objects = json.loads(raw)
    if dump(objects) != raw.rstrip("\n") + "\n":
        sys.exit(f"{name}: the corpus file is not in the expected layout; byte-identical copies cannot be checked")
    chosen = []
    seen = set()
    for index, repository, number, why in picks:
        if index in seen:
            sys.exit(f"{name} #{index} picked twice")
        seen.add(index)
        row = rows[index]
        if (row["repository"], row["number"]) != (repository, number):
            sys.exit(f"{name} #{index} is {row['repository']}#{row['number']} in SOURCES.md, expected {repository}#{number}")
        if index in excluded:
            sys.exit(f"{name} #{index} is one of the possibly hand-edited objects")
        source = repos[row["source"]]
        if not PERMISSIVE.match(source["licence"]):
            sys.exit(f"{name} #{index} comes from {row['source']} under {source['licence']}: not permissive")
        if row["source"] not in COPYRIGHT:
            sys.exit(f"{name} #{index}: no copyright line recorded for {row['source']}")
        obj = objects[index]
        # Byte-identical: the object's text inside a one-element array is a slice of the corpus file.
        text = "\n".join(dump([obj]).splitlines()[1:-1])
        if text.rstrip(",") not in raw:
            sys.exit(f"{name} #{index}: its text is not found verbatim in the corpus file")
        chosen.append((index, obj, row, why))
    return chosen


def has_closing_keyword(obj):
    text = (obj.get("title") or "") + "\n" + (obj.get("body") or "")
    return re.search(r"(?i)(?<![a-z0-9_])(close[sd]?|fix(e[sd])?|resolve[sd]?):?\s+(#\d|[\w.-]+/[\w.-]+#\d|https://github\.com/)", text) is not None


def coverage(issues, pulls):
    """What the tests rely on the fixtures to contain; fails when a re-selection loses any of it."""
    iss = [o for _, o, _, _ in issues]
    prs = [o for _, o, _, _ in pulls]
    label_shapes = {tuple(sorted(l)) for o in iss + prs for l in o.get("labels") or [] if isinstance(l, dict)}
    checks = {
        "issues with a pull_request key": sum("pull_request" in o for o in iss),
        "issues without one": sum("pull_request" not in o for o in iss),
        "issues without repository_url (old API)": sum("repository_url" not in o for o in iss),
        "issues with a draft key": sum("draft" in o for o in iss),
        "issues with state_reason": sum("state_reason" in o for o in iss),
        "null bodies (issues)": sum(o.get("body") is None for o in iss),
        "empty bodies (issues)": sum(o.get("body") == "" for o in iss),
        "open milestones": sum((o.get("milestone") or {}).get("state") == "open" for o in iss + prs),
        "closed milestones": sum((o.get("milestone") or {}).get("state") == "closed" for o in iss + prs),
        "closing keywords in titles or bodies": sum(has_closing_keyword(o) for o in iss + prs),
        "label object shapes": len(label_shapes),
        "PRs without a draft key": sum("draft" not in o for o in prs),
        "draft PRs": sum(o.get("draft") is True for o in prs),
        "merged PRs": sum(bool(o.get("merged_at")) for o in prs),
        "closed unmerged PRs": sum(bool(o.get("closed_at")) and not o.get("merged_at") for o in prs),
        "open PRs": sum(not o.get("closed_at") for o in prs),
        "PRs with labels": sum(bool(o.get("labels")) for o in prs),
        "PRs with a milestone": sum(bool(o.get("milestone")) for o in prs),
        "PRs with a null body": sum(o.get("body") is None for o in prs),
        "wrong-type created_at (` UTC`)": sum(str(o.get("created_at", "")).endswith(" UTC") for o in iss + prs),
    }
    for what, count in checks.items():
        print(f"  {what}: {count}")
        if count == 0:
            sys.exit(f"coverage lost: no {what}")
    if len(label_shapes) < 4:
        sys.exit("coverage lost: fewer than four label object shapes")


def md(text):
    """Placeholders such as <GITHUB_LOGIN> in code spans, so Markdown does not take them for HTML."""
    return re.sub(r"(?<!`)(<[A-Z_]+>)(?!`)", r"`\1`", text)


def sources_markdown(issues, pulls, repos):
    used = sorted({row["source"] for _, _, row, _ in issues + pulls})
    out = []
    w = out.append
    w("# Real GitHub API objects: provenance and licences")
    w("")
    w("`issues.json` and `pull_requests.json` are small selections from a larger corpus of real GitHub REST API")
    w("response bodies that HTTP-recording test suites of the public repositories below recorded (or saved as")
    w("fixtures). Every object is copied unchanged: its text here is byte-for-byte its text in the corpus, which")
    w("in turn extracted the JSON body from the recording without editing a field. Only repositories under")
    w("permissive licences (MIT, BSD) were used.")
    w("")
    w("Regenerate with `python3 scripts/curate-fixtures.py --corpus <corpus>/github-real` (the script lists every")
    w("pick and why it was picked; `--check` compares with these files). Tests read these files through")
    w("`RealFixtures` in `Sources/GHWHTestSupport`.")
    w("")
    w("## Source repositories")
    w("")
    w("| source repository | licence | copyright notice | commit read | objects here | what the files are |")
    w("|---|---|---|---|---|---|")
    for repo in used:
        r = repos[repo]
        n_i = sum(row["source"] == repo for _, _, row, _ in issues)
        n_p = sum(row["source"] == repo for _, _, row, _ in pulls)
        w(f"| {repo} | {r['licence']} | {COPYRIGHT[repo]} | `{r['commit']}` | {n_i} issues, {n_p} PRs | {md(r['what'])} |")
    w("")
    w("Commits are abbreviated as the corpus recorded them. Paths are relative to the source repository's root.")
    w("")
    w("## Caveats")
    w("")
    w("- octokit/octokit.rb recorded with VCR `filter_sensitive_data`, which replaced logins and repository names with")
    w("  placeholders (`<GITHUB_LOGIN>`, `<GITHUB_TEST_REPOSITORY>`) at record time; the two objects that show them")
    w("  are kept as the only permissively licensed issues of the old API shape (no `repository_url`).")
    w("- danger/danger objects are response bodies saved as fixtures, with no recorded request or date.")
    w("- Most other recordings are of throwaway test repositories; hub4j/github-api, betamaxpy/betamax,")
    w("  sferik/rails_admin and sigmavirus24/github3.py objects are real project history.")
    for name, chosen in [("issues.json", issues), ("pull_requests.json", pulls)]:
        w("")
        w(f"## {name}")
        w("")
        w("| # | repository | number | source repository | commit | path | request | recorded | licence | corpus # | why picked |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")
        for k, (index, _, row, why) in enumerate(chosen):
            r = repos[row["source"]]
            request = f"`{row['request']}`" if row["request"] != "(none recorded)" else "(none recorded)"
            w(f"| {k} | {md(row['repository'])} | {row['number']} | {row['source']} | `{r['commit']}` | `{row['path']}` "
              f"| {request} | {row['recorded'] or '-'} | {r['licence']} | {index} | {md(why)} |")
    w("")
    w("## Licence texts")
    w("")
    w("The MIT-licensed sources (hub4j/github-api, octokit/octokit.rb, github-changelog-generator, danger/danger),")
    w("each under its copyright notice above:")
    w("")
    w("> Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated")
    w("> documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation")
    w("> the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to")
    w("> permit persons to whom the Software is furnished to do so, subject to the following conditions:")
    w(">")
    w("> The above copyright notice and this permission notice shall be included in all copies or substantial portions of")
    w("> the Software.")
    w(">")
    w("> THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO")
    w("> THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE")
    w("> AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF")
    w("> CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS")
    w("> IN THE SOFTWARE.")
    w("")
    w("sigmavirus24/github3.py (BSD-3-Clause), under its copyright notice above:")
    w("")
    w("> Redistribution and use in source and binary forms, with or without modification, are permitted provided that the")
    w("> following conditions are met:")
    w(">")
    w("> 1. Redistributions of source code must retain the above copyright notice, this list of conditions and the")
    w(">    following disclaimer.")
    w("> 2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and the")
    w(">    following disclaimer in the documentation and/or other materials provided with the distribution.")
    w("> 3. The name of the author may not be used to endorse or promote products derived from this software without")
    w(">    specific prior written permission.")
    w(">")
    w("> THIS SOFTWARE IS PROVIDED BY THE AUTHOR ``AS IS'' AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT")
    w("> LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO")
    w("> EVENT SHALL THE AUTHOR BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL")
    w("> DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR")
    w("> PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT")
    w("> LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN")
    w("> IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.")
    return "\n".join(out) + "\n"


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=os.path.join(root, "..", "shared", "corpus", "github-real"),
                        help="the shared corpus directory (issues.json, pull_requests.json, SOURCES.md)")
    parser.add_argument("--out", default=os.path.join(root, "Tests", "Fixtures", "github-real"))
    parser.add_argument("--check", action="store_true", help="compare with the files in --out instead of writing")
    args = parser.parse_args()

    repos, per_object = read_sources(args.corpus)
    issues = select(args.corpus, "issues.json", ISSUE_PICKS, repos, per_object["issues.json"])
    pulls = select(args.corpus, "pull_requests.json", PULL_REQUEST_PICKS, repos, per_object["pull_requests.json"],
                   excluded=EXCLUDED_PULL_REQUESTS)
    print(f"{len(issues)} issues, {len(pulls)} pull requests; coverage:")
    coverage(issues, pulls)

    outputs = {
        "issues.json": dump([o for _, o, _, _ in issues]),
        "pull_requests.json": dump([o for _, o, _, _ in pulls]),
        "SOURCES.md": sources_markdown(issues, pulls, repos),
    }
    total = sum(len(text.encode("utf-8")) for text in outputs.values())
    by_source = {}
    for _, _, row, _ in issues + pulls:
        by_source[row["source"]] = by_source.get(row["source"], 0) + 1
    for source, count in sorted(by_source.items()):
        print(f"  {source} ({repos[source]['licence']}): {count} objects")
    print(f"{total} bytes in all")

    if args.check:
        stale = [name for name, text in outputs.items()
                 if not os.path.exists(os.path.join(args.out, name))
                 or open(os.path.join(args.out, name), encoding="utf-8").read() != text]
        if stale:
            sys.exit(f"differs from the selection: {', '.join(stale)}")
        print("committed fixtures match the selection")
        return
    os.makedirs(args.out, exist_ok=True)
    for name, text in outputs.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            f.write(text)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
