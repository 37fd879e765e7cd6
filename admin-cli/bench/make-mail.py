#!/usr/bin/env python3
"""Makes a Maildir (with a dovecot-uidlist) and an mbox of N messages for import benchmarks.

    python3 admin-cli/bench/make-mail.py OUT_DIR [N]   (default N = 20000)

OUT_DIR/Maildir and OUT_DIR/mbox are (re)created. Sizes are deterministic (seeded): most
messages 1-8 KiB of text, one in a hundred 64-256 KiB (an attachment); ~5 KiB on average.
See admin-cli/bench/README.md for how the figures in the notes were taken.
"""
import os
import random
import shutil
import sys
import time

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
rnd = random.Random(21)
maildir = os.path.join(out, "Maildir")
shutil.rmtree(maildir, ignore_errors=True)
for sub in ("cur", "new", "tmp"):
    os.makedirs(os.path.join(maildir, sub))
validity = 1700000000
words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor".split()
uidlist = ["3 V%d N%d G0" % (validity, n + 1)]
start = 1600000000
with open(os.path.join(out, "mbox"), "wb") as mbox:
    for i in range(1, n + 1):
        size = rnd.randint(64 * 1024, 256 * 1024) if i % 100 == 0 else rnd.randint(1024, 8192)
        when = start + i * 60
        head = ("Return-Path: <sender%d@example.net>\nFrom: Sender %d <sender%d@example.net>\n"
                "To: bench@example.org\nSubject: message %d\nDate: %s\nMessage-ID: <%d.bench@example.net>\n\n"
                % (i % 97, i % 97, i % 97, i, time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(when)), i))
        body = []
        length = 0
        while length < size:
            line = " ".join(rnd.choice(words) for _ in range(10)) + "\n"
            if rnd.random() < 0.01:
                line = "From here on, a line that needs quoting in an mbox\n"
            body.append(line)
            length += len(line)
        text = (head + "".join(body)).encode()
        name = "%d.M%dP1.bench,S=%d" % (when, i, len(text))
        path = os.path.join(maildir, "cur", name + ":2,S")
        with open(path, "wb") as f:
            f.write(text)
        os.utime(path, (when, when))
        uidlist.append("%d :%s" % (i, name))
        quoted = b"".join((b">" + l if l.lstrip(b">").startswith(b"From ") else l)
                          for l in text.splitlines(keepends=True))
        mbox.write(("From sender%d@example.net %s\n" % (i % 97, time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(when)))).encode())
        mbox.write(quoted + b"\n")
with open(os.path.join(maildir, "dovecot-uidlist"), "w") as f:
    f.write("\n".join(uidlist) + "\n")
