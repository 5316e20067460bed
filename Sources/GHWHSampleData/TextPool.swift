/// Fixed vocabularies the generator draws from: realistic words, titles, unicode snippets.
enum TextPool {
    static let ownerWords = [
        "orbit", "lantern", "quartz", "harbor", "nimbus", "cobalt", "meadow", "falcon", "tundra",
        "pixel", "summit", "ember", "glacier", "vector", "willow", "beacon", "cinder", "delta",
        "juniper", "kestrel", "lumen", "mosaic", "nebula", "onyx", "prairie", "quill", "raven",
    ]

    static let repoWords = [
        "parser", "gateway", "toolkit", "engine", "scheduler", "cli", "sdk", "dashboard", "proxy",
        "indexer", "renderer", "compiler", "agent", "bridge", "cache", "crawler", "daemon",
        "exporter", "fetcher", "graph", "hub", "ledger", "mapper", "notifier", "planner", "queue",
    ]

    static let loginStems = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
        "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter",
        "yuki", "zoe", "mateo", "amara", "kenji", "lucia", "omar", "priya", "sven", "tariq",
        "chen", "dmitri", "fatima", "ingrid", "jamal", "kofi", "leila", "marek", "nadia",
    ]

    /// Logins outside plain ASCII: rare in real data, but downstream text must survive them.
    static let unicodeLogins = ["zoë-dev", "józef-k", "田中-taro", "محمد-dev", "δelta-99"]

    static let botLogins = ["dependabot[bot]", "renovate[bot]", "github-actions[bot]"]

    static let titleVerbs = [
        "Fix", "Add", "Remove", "Refactor", "Update", "Improve", "Support", "Document",
        "Deprecate", "Optimize", "Handle", "Rename", "Allow", "Prevent", "Cache",
    ]

    static let titleObjects = [
        "crash when config file is empty", "timeout handling in HTTP client",
        "pagination of search results", "memory leak in worker pool", "retry logic for 502 errors",
        "dark mode colors", "Windows path separators", "UTF-8 decoding of filenames",
        "race condition in scheduler", "CLI help output", "deprecated API warnings",
        "flaky integration test", "README installation steps", "TLS certificate validation",
        "large file uploads", "locale-dependent number parsing", "null pointer on shutdown",
        "default log level", "proxy environment variables", "rate limit headers",
    ]

    /// Titles exercising unicode as it occurs in real issues: accents, CJK, RTL, emoji.
    static let unicodeTitles = [
        "Crash when the filename contains an accent (café.txt)",
        "🚀 Release checklist for the next version",
        "文档中的示例无法运行",
        "日本語のファイル名でエラーが発生する",
        "خطأ عند حفظ الملف",
        "שגיאה בעת טעינת ההגדרות",
        "Ошибка при запуске на Windows",
        "Support für Umlaute in Pfaden (äöü ß)",
        "🐛 Bug: emoji 👍🏽 in comments breaks rendering",
        "Naïve façade coöperation — résumé parsing",
        "한국어 입력 시 커서 위치 오류",
        "Tab\tseparated \"quoted\" title",
    ]

    static let sentences = [
        "This happens every time I run the command with the default configuration.",
        "Steps to reproduce are below; the problem started after upgrading to the latest release.",
        "I expected the operation to succeed, but instead it fails with an unhelpful error.",
        "The documentation does not mention this behaviour, so I am not sure whether it is intended.",
        "A minimal example that reproduces the issue is attached to this report.",
        "This change keeps backwards compatibility and adds tests for the new code path.",
        "The previous implementation allocated a new buffer for every request, which was slow.",
        "We should probably also update the changelog once this is merged.",
        "I ran the full test suite locally on Linux and macOS and everything passes.",
        "Please let me know if you would like me to split this into smaller pull requests.",
        "The root cause is an off-by-one error when computing the end of the range.",
        "Benchmarks show roughly a 20% improvement on large inputs.",
        "It looks like the retry counter is never reset after a successful attempt.",
        "Thanks for the great project, it has saved me a lot of time!",
        "The \"strict\" option is ignored when the value comes from the environment.",
        "Running with `--verbose` prints the stack trace shown below.",
    ]

    /// Unicode sentences (accents, CJK, RTL, emoji incl. supplementary-plane characters).
    static let unicodeSentences = [
        "Merci beaucoup pour ce correctif, ça marche très bien ! 🎉",
        "この問題は最新バージョンでも再現します。",
        "我在 Ubuntu 22.04 上也遇到了同样的问题。",
        "המשתמש לא יכול להתחבר לאחר העדכון.",
        "يظهر الخطأ عند استخدام اللغة العربية في الواجهة.",
        "Größere Dateien (über 2 GB) führen zu einem Absturz. 😢",
        "¿Alguien más tiene este problema con la versión 2.1? 🤔",
        "Emoji test: 🚀🔥👩‍💻🏳️‍🌈 and math 𝔸𝔹ℂ.",
        "Résumé of the discussion: naïve approach is fine for now.",
        "Пожалуйста, добавьте поддержку кириллицы в именах файлов.",
    ]

    static let codeBlocks = [
        "```\nTraceback (most recent call last):\n  File \"main.py\", line 12, in <module>\n    run()\nValueError: invalid literal for int() with base 10: 'abc'\n```",
        "```swift\nlet value = try decoder.decode(Config.self, from: data)\n\tprint(value)\n```",
        "```json\n{\"name\": \"example\", \"enabled\": true, \"path\": \"C:\\\\Users\\\\me\"}\n```",
        "```bash\n$ tool run --config ./config.yml\nerror: unexpected end of input at line 3\n```",
        "```diff\n- let timeout = 30\n+ let timeout = 60\n```",
    ]

    static let labelColors = [
        "d73a4a", "a2eeef", "7057ff", "0075ca", "e4e669", "008672", "cfd3d7", "fbca04", "b60205", "5319e7",
    ]

    /// Label names with descriptions; each repo takes about 15 of these.
    static let labels: [(name: String, description: String?)] = [
        ("bug", "Something isn't working"),
        ("enhancement", "New feature or request"),
        ("good first issue", "Good for newcomers"),
        ("documentation", "Improvements or additions to documentation"),
        ("priority: high", "Needs attention soon"),
        ("área/ñ", "Componente de internacionalización"),
        ("🚀 release", "Part of the next release"),
        ("help wanted", "Extra attention is needed"),
        ("question", "Further information is requested"),
        ("duplicate", "This issue or pull request already exists"),
        ("wontfix", "This will not be worked on"),
        ("priority: low", nil),
        ("needs-triage", ""),
        ("dependencies", "Pull requests that update a dependency file"),
        ("performance", "Speed or memory usage"),
        ("ci", nil),
        ("breaking change", "Requires a major version bump"),
        ("status/in progress", "Someone is working on this"),
        ("型: 改善", "改善提案"),
    ]

    static let milestoneTitles = ["v1.0", "v1.1", "2024 Q1 🎯", "v2.0-beta"]

    static let languages = ["Swift", "Go", "Rust", "Python", "TypeScript", "Java", "C++", "Ruby"]

    static let topics = [
        "cli", "api", "json", "database", "performance", "devtools", "linux", "macos", "automation", "i18n",
    ]

    static let branchWords = ["fix", "feature", "refactor", "docs", "chore", "perf", "hotfix"]
}
