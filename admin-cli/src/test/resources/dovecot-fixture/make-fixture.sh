#!/bin/bash
# Builds the Dovecot fixture store in this directory with a real Dovecot 2.3 and records what
# that Dovecot served over POP3 for it. See README.md beside this script. Usage:
#
#   ./make-fixture.sh            # rebuilds store/, passwd, served-*.tsv, logins.tsv, dovecot-version
#
# Needs /usr/sbin/dovecot and /usr/bin/doveadm (Debian: dovecot-core dovecot-pop3d) and python3.
# Runs a private Dovecot (own config, base_dir, log, loopback port) in a temporary directory:
# nothing of the system's Dovecot configuration is read, nothing is installed or changed, and
# the instance is stopped at the end (also on failure).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/mailwright-dovecot-fixture.XXXXXX)
chmod 755 "$W"
CONF="$W/etc/dovecot.conf"

stop() {
    if [ -f "$W/run/master.pid" ]; then
        kill "$(cat "$W/run/master.pid")" 2>/dev/null || true
        sleep 1
    fi
}
trap 'stop; echo "work directory kept for inspection: $W" >&2' EXIT

# Mail files belong to an unprivileged user: ourselves, or nobody when run as root (Dovecot
# never accesses mail as root).
if [ "$(id -u)" = 0 ]; then
    MAIL_USER=nobody; MAIL_GROUP=$(id -gn nobody)
    LOGIN_USERS=""
else
    MAIL_USER=$(id -un); MAIL_GROUP=$(id -gn)
    LOGIN_USERS="default_login_user = $MAIL_USER
default_internal_user = $MAIL_USER"
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

mkdir -p "$W/etc" "$W/run" "$W/state" "$W/home" "$W/index"

# ---------------------------------------------------------------------------------------------
# The passwd-file: one line per user, hashes made by this Dovecot's `doveadm pw`.
# Mail users keep their mail under mail_home; bob and carol are mbox users (userdb_mail).
pw() { doveadm -c /dev/null pw -s "$1" -p "$2"; }
pwu() { doveadm -c /dev/null pw -s "$1" -u "$3" -p "$2"; }
{
    echo "# Dovecot passwd-file made by make-fixture.sh with $(dovecot --version | cut -d' ' -f1)"
    echo "ann@example.org:$(pw SHA512-CRYPT ann-secret-1)::::::"
    echo "bob@example.org:$(pw BLF-CRYPT bob-secret-2)::::::userdb_mail=mbox:~/mail:INBOX=~/mbox"
    echo "carol@example.org:$(pw SSHA512 carol-secret-3)::::::userdb_mail=mbox:~/mail:INBOX=~/mbox"
    echo "dave@example.org:$(pw ARGON2ID dave-secret-4)::::::"
    echo "erin@example.org:$(pw SHA256-CRYPT erin-secret-5)::::::"
    echo "fred@example.org:$(pw MD5-CRYPT fred-secret-6)::::::"
    echo "gail@example.org:$(pw SSHA256 gail-secret-7)::::::"
    echo "hugo@example.org:$(pw SSHA gail-secret-8)::::::"
    echo "ines@example.org:$(pw PBKDF2 ines-secret-9)::::::"
    echo "jack@example.org:$(pw SHA512 jack-secret-10)::::::"
    echo "kate@example.org:$(pw PLAIN kate-secret-11)::::::"
    echo "liam@example.org:$(pw ARGON2I liam-secret-12)::::::"
    echo "mia@example.org:$(pw SCRAM-SHA-256 mia-secret-13)::::::"
    echo "noah@example.org:$(pw CRAM-MD5 noah-secret-14)::::::"
    echo "olga@example.org:$(doveadm -c /dev/null pw -s SSHA512.HEX -p olga-secret-15)::::::"
    echo "paul@example.org:$(pw SCRAM-SHA-1 paul-secret-16)::::::"
    echo "quin@example.org:$(pw PLAIN-MD5 quin-secret-17)::::::"
    echo "rosa@example.org:$(pw SHA512-CRYPT 'rösa-sëcret-18')::::::"
    echo "sam:$(pw SHA512-CRYPT sam-secret-19)::::::"
    echo "tina@example.org:$(pw SHA512-CRYPT tina-secret-20)::::::nologin=y reason=moved"
    echo "uma@example.org:$(pw SHA512-CRYPT uma-secret-21)::::::allow_nets=192.0.2.0/24"
    echo "vera@example.org:$(pw SHA512-CRYPT vera-secret-22)::::::userdb_quota_rule=*:storage=100M"
} > "$W/passwd"
# The passwords, for the login check below (and for the tests: this is test data).
cat > "$W/passwords" <<'EOF'
ann@example.org	ann-secret-1	SHA512-CRYPT
bob@example.org	bob-secret-2	BLF-CRYPT
carol@example.org	carol-secret-3	SSHA512
dave@example.org	dave-secret-4	ARGON2ID
erin@example.org	erin-secret-5	SHA256-CRYPT
fred@example.org	fred-secret-6	MD5-CRYPT
gail@example.org	gail-secret-7	SSHA256
hugo@example.org	gail-secret-8	SSHA
ines@example.org	ines-secret-9	PBKDF2
jack@example.org	jack-secret-10	SHA512
kate@example.org	kate-secret-11	PLAIN
liam@example.org	liam-secret-12	ARGON2I
mia@example.org	mia-secret-13	SCRAM-SHA-256
noah@example.org	noah-secret-14	CRAM-MD5
olga@example.org	olga-secret-15	SSHA512.HEX
paul@example.org	paul-secret-16	SCRAM-SHA-1
quin@example.org	quin-secret-17	PLAIN-MD5
rosa@example.org	rösa-sëcret-18	SHA512-CRYPT
sam	sam-secret-19	SHA512-CRYPT
tina@example.org	tina-secret-20	SHA512-CRYPT
uma@example.org	uma-secret-21	SHA512-CRYPT
vera@example.org	vera-secret-22	SHA512-CRYPT
EOF

# ---------------------------------------------------------------------------------------------
# The private Dovecot. pop3.conf holds the POP3 settings of the current phase (reloaded).
cat > "$CONF" <<EOF
base_dir = $W/run
state_dir = $W/state
log_path = $W/dovecot.log
instance_name = mailwright-fixture
protocols = pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
$LOGIN_USERS
mail_uid = $MAIL_USER
mail_gid = $MAIL_GROUP
first_valid_uid = 1
first_valid_gid = 1
mail_home = $W/home/%u
mail_location = maildir:~/Maildir:INDEX=$W/index/%u
passdb {
  driver = passwd-file
  args = username_format=%u $W/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $W/passwd
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener pop3s {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
!include $W/etc/pop3.conf
EOF
phase() { printf '%s\n' "$@" > "$W/etc/pop3.conf"; }
phase "# Dovecot's defaults"

for u in ann bob carol dave; do mkdir -p "$W/home/$u@example.org"; done
chown -R "$MAIL_USER:$MAIL_GROUP" "$W/home" "$W/index"
chmod 755 "$W/etc" "$W/run"

/usr/sbin/dovecot -c "$CONF"
sleep 1
reload() { doveadm -c "$CONF" reload; sleep 1; }
as() { local u=$1; shift; doveadm -c "$CONF" "$@" -u "$u"; }

# ---------------------------------------------------------------------------------------------
# Messages: each kind of content a POP3 migration meets. msg N SUBJECT prints message N.
msg() {
    local n=$1 kind=${2:-plain} date
    date=$(date -u -d "2024-03-01 08:00:00 UTC + $n hours" '+%a, %d %b %Y %H:%M:%S +0000')
    printf 'Return-Path: <sender%s@remote.test>\nFrom: Sender %s <sender%s@remote.test>\nTo: someone@example.org\n' "$n" "$n" "$n"
    printf 'Subject: fixture message %s (%s)\nDate: %s\nMessage-ID: <fixture-%s@remote.test>\n' "$n" "$kind" "$date" "$n"
    case $kind in
        xuidl) printf 'X-UIDL: legacy-%s.popper\n' "$n" ;;
        mime) printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n' ;;
    esac
    printf '\n'
    case $kind in
        plain) printf 'Hello %s.\nSecond line.\n' "$n" ;;
        from) printf 'A line of the body that looks like an mbox separator follows:\nFrom the desk of %s, greetings.\n>From an already quoted one.\nEnd.\n' "$n" ;;
        dots) printf 'Lines starting with dots:\n.\n..\n.hidden\nEnd.\n' ;;
        mime) printf 'Grüße aus Köln, Nachricht %s.\n' "$n" ;;
        crlf) printf 'This body has CRLF line ends.\r\nSecond line.\r\n' ;;
        long) printf 'Long: '; head -c 3000 /dev/zero | tr '\0' 'x'; printf '\n' ;;
        nofinal) printf 'No final line end in %s.' "$n" ;;
        empty) : ;;
        xuidl) printf 'Body of a message an older server gave an X-UIDL.\n' ;;
    esac
}

# ann: a Maildir Dovecot has served for years. First messages saved by Dovecot, served once with
# an old pop3_uidl_format and pop3_save_uidl=yes (their UIDLs stay as P fields); later ones
# arrive by an external MDA into new/ and cur/ (file names with :2,<flags>) and by doveadm.
i=0
for kind in plain from dots mime crlf long; do
    i=$((i + 1)); msg $i $kind | as ann@example.org save -m INBOX
done
phase "pop3_uidl_format = %v.%u" "pop3_save_uidl = yes"
reload
python3 "$HERE/pop3-fetch.py" 127.0.0.1 "$PORT" ann@example.org ann-secret-1 > /dev/null
phase "# Dovecot's defaults"
reload
MD="$W/home/ann@example.org/Maildir"
host=fixture.example.org
for kind in plain nofinal empty from; do
    i=$((i + 1))
    msg $i $kind > "$MD/tmp/17100000$i.M${i}P4242.$host"
    touch -d "2024-03-10 0$((i % 10)):00 UTC" "$MD/tmp/17100000$i.M${i}P4242.$host"
    case $kind in
        plain|nofinal) mv "$MD/tmp/17100000$i.M${i}P4242.$host" "$MD/new/" ;;
        empty) mv "$MD/tmp/17100000$i.M${i}P4242.$host" "$MD/cur/17100000$i.M${i}P4242.$host:2,S" ;;
        from) mv "$MD/tmp/17100000$i.M${i}P4242.$host" "$MD/cur/17100000$i.M${i}P4242.$host:2,RS" ;;
    esac
done
chown -R "$MAIL_USER:$MAIL_GROUP" "$MD"
for kind in dots plain; do
    i=$((i + 1)); msg $i $kind | as ann@example.org save -m INBOX
done
as ann@example.org flags add '\Seen' mailbox INBOX uid 2
as ann@example.org flags add '\Flagged \Answered' mailbox INBOX uid 3
as ann@example.org flags add '$Forwarded' mailbox INBOX uid 9

# dave: a Maildir migrated from Courier with courier-dovecot-migrate.pl: a dovecot-uidlist written
# by the migration with P fields and full file names (:2,<flags>), then used by Dovecot.
DD="$W/home/dave@example.org/Maildir"
mkdir -p "$DD/cur" "$DD/new" "$DD/tmp"
{
    echo "3 V1262304000 N8"
    for j in 1 2 3 4 5 6 7; do
        name="126230400$j.M${j}P100.courier.example.org,S=$(msg $((100 + j)) plain | wc -c)"
        case $j in 1|2|3) flags=":2,S" ;; 4) flags=":2,RS" ;; 5) flags=":2," ;; *) flags="" ;; esac
        msg $((100 + j)) plain > "$DD/cur/$name$flags"
        [ -z "$flags" ] && mv "$DD/cur/$name" "$DD/cur/$name:2,"
        touch -d "2010-01-0$j 12:00 UTC" "$DD/cur/$name"*
        case $j in 6) echo "$j :$name" ;; 7) echo "$j :$name:2," ;; *) echo "$j P$(printf '%08x' $((5000 + j))).courier :$name$flags" ;; esac
    done
} > "$DD/dovecot-uidlist"
chown -R "$MAIL_USER:$MAIL_GROUP" "$DD"
# Dovecot 2.3 rewrites the uidlist with base names once it has read it: the fixture keeps the
# Maildir as the migration left it, which is what Dovecot's first answer (equal to its second,
# checked below) was served from.
cp -a "$DD" "$W/dave-Maildir-as-migrated"

# bob: an mbox INBOX delivered by an external MDA (mboxrd quoting, no Dovecot headers yet),
# then opened by Dovecot, given flags and keywords and more mail through Dovecot itself.
MB="$W/home/bob@example.org/mbox"
for j in 1 2 3 4 5 6; do
    case $j in 2) kind=from ;; 3) kind=dots ;; 4) kind=mime ;; 6) kind=crlf ;; *) kind=plain ;; esac
    echo "From sender$((200 + j))@remote.test  Fri Mar  1 0$j:00:00 2024"
    msg $((200 + j)) $kind | sed -e 's/^\(>*From \)/>\1/'
    echo
done > "$MB"
mkdir -p "$W/home/bob@example.org/mail"
chown -R "$MAIL_USER:$MAIL_GROUP" "$W/home/bob@example.org"
as bob@example.org mailbox status messages INBOX
for j in 7 8 9; do
    case $j in 8) kind=from ;; *) kind=plain ;; esac
    msg $((200 + j)) $kind | as bob@example.org save -m INBOX
done
as bob@example.org flags add '\Seen' mailbox INBOX uid 1
as bob@example.org flags add '\Answered \Flagged' mailbox INBOX uid 2
as bob@example.org flags add '$Label1 Important' mailbox INBOX uid 4
as bob@example.org flags add '\Seen' mailbox INBOX uid 8

# carol: an mbox from a server that gave X-UIDL headers (qpopper, UW), opened by Dovecot.
CB="$W/home/carol@example.org/mbox"
for j in 1 2 3 4 5; do
    case $j in 4) kind=plain ;; *) kind=xuidl ;; esac
    echo "From sender$((300 + j))@remote.test Fri Mar  1 1$j:00:00 2024"
    msg $((300 + j)) $kind
    echo
done > "$CB"
mkdir -p "$W/home/carol@example.org/mail"
chown -R "$MAIL_USER:$MAIL_GROUP" "$W/home/carol@example.org"
as carol@example.org flags add '\Seen' mailbox INBOX uid 2

# ---------------------------------------------------------------------------------------------
# What Dovecot serves. Each fetch is done twice (the first QUIT may store \Seen flags and let
# Dovecot rewrite files): the second answer, which must equal the first, is the fixture's.
fetch() { # file user password
    python3 "$HERE/pop3-fetch.py" 127.0.0.1 "$PORT" "$2" "$3" > "$W/first.tsv"
    python3 "$HERE/pop3-fetch.py" 127.0.0.1 "$PORT" "$2" "$3" > "$W/second.tsv"
    cmp "$W/first.tsv" "$W/second.tsv"
    sed "s/^/$2\t/" "$W/second.tsv" >> "$1"
}
: > "$W/served-default.tsv"
fetch "$W/served-default.tsv" ann@example.org ann-secret-1
fetch "$W/served-default.tsv" dave@example.org dave-secret-4
fetch "$W/served-default.tsv" bob@example.org bob-secret-2
fetch "$W/served-default.tsv" carol@example.org carol-secret-3

phase "pop3_reuse_xuidl = yes"
reload
: > "$W/served-reuse-xuidl.tsv"
fetch "$W/served-reuse-xuidl.tsv" carol@example.org carol-secret-3
fetch "$W/served-reuse-xuidl.tsv" bob@example.org bob-secret-2
phase "# Dovecot's defaults"
reload
# the default answers must not have changed through the second phase
: > "$W/served-again.tsv"
fetch "$W/served-again.tsv" carol@example.org carol-secret-3
grep "^carol@" "$W/served-default.tsv" | cmp - "$W/served-again.tsv"

# Which passwd-file users this Dovecot lets log in with their password over USER/PASS.
while IFS=$'\t' read -r user password scheme; do
    if python3 "$HERE/pop3-fetch.py" --login-only 127.0.0.1 "$PORT" "$user" "$password" 2> "$W/login.err"; then
        result=accepted
    else
        result="refused: $(tr -d '\r\n' < "$W/login.err")"
    fi
    printf '%s\t%s\t%s\t%s\n' "$user" "$password" "$scheme" "$result"
done < "$W/passwords" > "$W/logins.tsv"

stop
trap - EXIT

# ---------------------------------------------------------------------------------------------
# The fixture: the mail as Dovecot left it (without its index files, kept elsewhere), the
# passwd-file, what Dovecot served.
rm -rf "$HERE/store"
mkdir -p "$HERE/store"
mkdir -p "$HERE/store/ann" "$HERE/store/dave"
cp -a "$W/home/ann@example.org/Maildir" "$HERE/store/ann/Maildir"
cp -a "$W/dave-Maildir-as-migrated" "$HERE/store/dave/Maildir"
for u in ann dave; do
    # git keeps no empty directories: a marker keeps tmp/ and new/ (the importer ignores dot files)
    for sub in cur new tmp; do mkdir -p "$HERE/store/$u/Maildir/$sub"; touch "$HERE/store/$u/Maildir/$sub/.keep"; done
done
for u in bob carol; do
    mkdir -p "$HERE/store/$u"
    cp -a "$W/home/$u@example.org/mbox" "$HERE/store/$u/mbox"
done
chown -R "$(stat -c %u:%g "$HERE")" "$HERE/store"
# the mtimes are the received dates: git does not keep them, so record them
(cd "$HERE/store" && find . -type f ! -name .keep -printf '%P\t%T@\n' | sort) > "$HERE/mtimes.tsv"
cp "$W/passwd" "$HERE/passwd"
cp "$W/served-default.tsv" "$HERE/served-default.tsv"
cp "$W/served-reuse-xuidl.tsv" "$HERE/served-reuse-xuidl.tsv"
cp "$W/logins.tsv" "$HERE/logins.tsv"
dovecot --version > "$HERE/dovecot-version"
cp "$W/dovecot.log" "$HERE/dovecot.log"
sed -i "s|$W|WORKDIR|g" "$HERE/dovecot.log"
rm -rf "$W"
echo "fixture written to $HERE"
