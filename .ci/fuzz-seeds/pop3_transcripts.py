#!/usr/bin/env python3
"""Turns the POP3 transcripts into seeds for Pop3SessionFuzzTest (ADR 0025).

A seed is one options octet (APOP, LAST, STLS possible) followed by the client's writes, separated
by 0xFF: one write per C: or "! raw" line. The fuzz fixture has one account, bob@example.org with
password "pw": the transcripts' accounts and passwords are replaced by it.
"""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2] / "protocol-pop3/src/test"
OUT = ROOT / "resources/dev/mailwright/pop3/transport/Pop3SessionFuzzTestInputs/dialogueShouldOnlyGetWellFormedReplies"


def unescape(s):
    return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\0")


def seed(path):
    options, writes, accounts = 0, [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("! config"):
            words = line.split()
            options |= (0x01 if "apop" in words else 0) | (0x02 if "last" in words else 0) | (0x04 if "tls" in words else 0)
        elif line.startswith("! account "):
            _, _, address, password = line.split(" ", 3)
            accounts[address] = password
        elif line.startswith("C: ") or line == "C:" or line.startswith("! raw "):
            text = line[3:] + "\r\n" if line.startswith("C:") else unescape(line[6:])
            for address, password in accounts.items():
                text = text.replace(address, "bob@example.org")
                text = re.sub(r"^PASS " + re.escape(password) + r"\r\n", "PASS pw\r\n", text)
            writes.append(text.encode())
    return bytes([options]) + b"\xff".join(writes)


OUT.mkdir(parents=True, exist_ok=True)
for p in sorted((ROOT / "resources/transcripts").glob("*.txt")):
    (OUT / ("transcript-" + p.stem)).write_bytes(seed(p))
