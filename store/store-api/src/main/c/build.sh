#!/bin/sh
# Builds Mailwright's Argon2 library (mailwright_argon2.c) into the jar's classes, where JNA finds
# it as a resource: $1/libmailwright-argon2.so. Run by Maven (store-api's pom, profile
# native-argon2) on Linux x86-64. Without a C compiler the build goes on without it and
# NativeArgon2 uses libsodium, libargon2 or Java instead, with the same hashes.
set -eu
out="$1"
src="$(dirname "$0")/mailwright_argon2.c"
cc="${CC:-cc}"
if ! command -v "$cc" >/dev/null 2>&1; then
    echo "[WARNING] no C compiler ($cc): building without Mailwright's Argon2 library" >&2
    exit 0
fi
mkdir -p "$out"
"$cc" -std=gnu11 -O3 -fno-strict-aliasing -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror \
    -Wl,-z,noexecstack -o "$out/libmailwright-argon2.so" "$src"
echo "[INFO] built $out/libmailwright-argon2.so"
