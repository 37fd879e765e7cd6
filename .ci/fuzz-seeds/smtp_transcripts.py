#!/usr/bin/env python3
"""Turns the SMTP transcripts into seeds for SmtpSessionFuzzTest (ADR 0025).

A seed is one options octet (mode, bare line ends, AUTH without TLS; reads whole) followed by
the client's writes, separated by 0xFF: one write per C: or R: line, as TranscriptTest sends them.
Run from the repository root; it rewrites the transcript-* seeds and leaves others alone.
"""
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2] / "protocol-smtp/src/test"
OUT = ROOT / "resources/dev/mailwright/smtp/session/SmtpSessionFuzzTestInputs/dialogueShouldOnlyGetWellFormedReplies"
MODES = {"MX": 0, "SUBMISSION": 1, "SUBMISSIONS": 2}


def unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"r": "\r", "n": "\n", "t": "\t", "\\": "\\"}.get(s[i + 1], s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def seed(path):
    options, writes = 0, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#!"):
            for kv in line[2:].split():
                k, _, v = kv.partition("=")
                if k == "mode":
                    options |= MODES[v]
                elif k == "bareLineEnds" and v == "NORMALIZE":
                    options |= 0x04
                elif k == "authWithoutTls" and v == "true":
                    options |= 0x08
        elif line.startswith("C:"):
            writes.append((line[3:] + "\r\n").encode())
        elif line.startswith("R: "):
            writes.append(unescape(line[3:]).encode())
    return bytes([options]) + b"\xff".join(writes)


OUT.mkdir(parents=True, exist_ok=True)
for p in sorted((ROOT / "resources/transcripts").glob("*.txt")):
    (OUT / ("transcript-" + p.stem)).write_bytes(seed(p))
