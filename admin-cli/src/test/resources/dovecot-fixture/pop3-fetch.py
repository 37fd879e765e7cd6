#!/usr/bin/env python3
"""A minimal POP3 client for make-fixture.sh, exact to the byte: logs in with USER/PASS, then
for each message of UIDL prints "number<TAB>uidl<TAB>LIST size<TAB>RETR octets<TAB>sha256"
where the octets are the message as RETR sent it, dot-stuffing undone, CRLF line ends kept.
With --login-only it logs in and quits: exit 0 when PASS was accepted, else 1 and the reply
on stderr. Passwords are sent as UTF-8 bytes."""
import hashlib
import socket
import sys


class Pop3:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=30)
        self.file = self.sock.makefile("rb")
        self.expect_ok(self.line())

    def line(self):
        data = self.file.readline()
        if not data.endswith(b"\r\n"):
            raise SystemExit("connection closed or bare LF: %r" % data)
        return data[:-2]

    @staticmethod
    def expect_ok(reply):
        if not reply.startswith(b"+OK"):
            raise RuntimeError(reply.decode("utf-8", "replace"))
        return reply

    def command(self, text):
        self.sock.sendall(text.encode("utf-8") + b"\r\n")
        return self.expect_ok(self.line())

    def multiline(self):
        lines = []
        while True:
            data = self.file.readline()
            if not data.endswith(b"\r\n"):
                raise SystemExit("truncated multi-line reply")
            if data == b".\r\n":
                return lines
            if data.startswith(b"."):
                data = data[1:]
            lines.append(data)


def main(argv):
    login_only = argv[:1] == ["--login-only"]
    if login_only:
        argv = argv[1:]
    host, port, user, password = argv
    pop = Pop3(host, int(port))
    try:
        pop.command("USER " + user)
        pop.command("PASS " + password)
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 1
    if login_only:
        pop.command("QUIT")
        return 0
    pop.command("UIDL")
    uidls = [l.rstrip(b"\r\n").split(b" ", 1) for l in pop.multiline()]
    pop.command("LIST")
    sizes = dict(l.rstrip(b"\r\n").split(b" ", 1) for l in pop.multiline())
    for number, uidl in uidls:
        pop.command("RETR " + number.decode())
        content = b"".join(pop.multiline())
        print("%s\t%s\t%s\t%d\t%s" % (number.decode(), uidl.decode(), sizes[number].decode(), len(content),
                                      hashlib.sha256(content).hexdigest()))
    pop.command("QUIT")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
