#!/usr/bin/env bash
# Regenerates the fuzz seeds under Tests/Fuzz/<target>/seeds:
#   - the ones FuzzSeeds writes (JSON records and documents, frames, messages, built zip/gzip inputs);
#   - zip and gzip files written by independent producers: Python's zipfile and gzip, Info-ZIP's
#     zip (ZIP64 forced) and GNU gzip, plus damaged copies (truncated, wrong CRC, trailing bytes).
# Each zip/gzip seed starts with the target's option byte (bit 0 = 0: the rest is the file).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product ghwh-fuzz
"$(swift build --show-bin-path)/ghwh-fuzz" seeds Tests/Fuzz

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import gzip, io, os, struct, subprocess, sys, zipfile, zlib

work = sys.argv[1]
zdir, gdir = "Tests/Fuzz/zip/seeds", "Tests/Fuzz/gzip/seeds"
issue = (b'{"id":1,"number":42,"title":"Crash on \\"quoted\\" input \\ud83d\\ude00","user":{"login":"octocat"},'
         b'"labels":[{"name":"bug"}],"state":"open","created_at":"2024-01-02T03:04:05Z","body":"caf\xc3\xa9\\n"}')
pr = b'{"id":99,"number":7,"state":"closed","merged":true,"additions":120,"head":{"ref":"fix"}}'
array = b"[" + issue + b",\n" + pr + b"]\n"
lines = issue + b"\n" + pr + b"\r\n\n"

def seed(directory, name, flags, data):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(bytes([flags]) + data)

def pyzip(entries, compression, comment=b"", force64=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        z.comment = comment
        for name, data in entries:
            if name.endswith("/"):
                z.writestr(zipfile.ZipInfo(name), b"")
            elif force64:
                with z.open(name, "w", force_zip64=True) as f:
                    f.write(data)
            else:
                z.writestr(name, data)
    return buffer.getvalue()

deflated = pyzip([("issues.json", array), ("more/prs.jsonl", lines), ("more/", b""), ("README.txt", b"not json")],
                 zipfile.ZIP_DEFLATED)
seed(zdir, "python-deflated", 3 << 1 | 6 << 4, deflated)
seed(zdir, "python-stored-comment", 0 << 1 | 5 << 4,
     pyzip([("a.NDJSON", lines), ("b.json", b"[]")], zipfile.ZIP_STORED, comment=b"archive comment"))
seed(zdir, "python-zip64-local", 6 << 1 | 1 << 4, pyzip([("x.json", array)], zipfile.ZIP_DEFLATED, force64=True))
seed(zdir, "python-truncated", 7 << 1, deflated[: len(deflated) * 2 // 3])
stored = bytearray(pyzip([("c.json", array)], zipfile.ZIP_STORED))
stored[40] ^= 0x20  # a byte of the entry's data: CRC mismatch
seed(zdir, "python-bad-crc", 2 << 1 | 4 << 4, bytes(stored))

# Info-ZIP with ZIP64 forced: ZIP64 extra fields in the central directory and a ZIP64 end record.
with open(os.path.join(work, "d.json"), "wb") as f:
    f.write(array)
with open(os.path.join(work, "e.jsonl"), "wb") as f:
    f.write(lines)
subprocess.run(["zip", "-q", "-X", "-fz", "infozip.zip", "d.json", "e.jsonl"], cwd=work, check=True)
with open(os.path.join(work, "infozip.zip"), "rb") as f:
    seed(zdir, "infozip-zip64", 4 << 1 | 2 << 4, f.read())

member = gzip.compress(array, mtime=0)
seed(gdir, "python-one-member", 6 << 1 | 3 << 4, member)
seed(gdir, "python-two-members", 4 << 1 | 0 << 4, member + gzip.compress(lines, compresslevel=1, mtime=0))
raw = zlib.compressobj(9, zlib.DEFLATED, -15)
body = raw.compress(lines) + raw.flush()
header = b"\x1f\x8b\x08" + bytes([0x02 | 0x04 | 0x08 | 0x10]) + b"\x00\x00\x00\x00\x00\x03"
header += struct.pack("<H", 6) + b"AB\x02\x00hi" + b"part.jsonl\x00" + b"a comment\x00"
header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
seed(gdir, "header-fields", 5 << 1 | 2 << 4,
     header + body + struct.pack("<II", zlib.crc32(lines), len(lines)))
bad = bytearray(member)
bad[-6] ^= 0xFF
seed(gdir, "bad-crc", 3 << 1 | 7 << 4, bytes(bad))
seed(gdir, "trailing-bytes", 1 << 1 | 6 << 4, member + b"\x00\x00garbage")
seed(gdir, "truncated", 7 << 1 | 1 << 4, member[:-9])
seed(gdir, "empty-file", 0, b"")
with open(os.path.join(work, "g.json"), "wb") as f:
    f.write(array)
gnu = subprocess.run(["gzip", "-9", "-n", "-c", os.path.join(work, "g.json")], check=True, capture_output=True).stdout
seed(gdir, "gnu-gzip", 2 << 1 | 5 << 4, gnu)
PY
du -sh Tests/Fuzz
