#!/usr/bin/env bash
# sqlmap (Debian's package) against the listing search on loopback, end to end:
# a fresh seeded SQLite database, the app under gunicorn on a free 127.0.0.1 port, sqlmap
# bounded in time, then the app stopped. Not run by pytest (pytest does not need sqlmap).
#
#   tests/security/run_sqlmap.sh            # from the repository root
#   SQLMAP_TIMEOUT=900 OUT=/tmp/sqlmap-out tests/security/run_sqlmap.sh
#
# Install sqlmap first: DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlmap
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
VENV="$ROOT/.venv/bin"
OUT=${OUT:-/tmp/sqlmap-out}
SQLMAP_TIMEOUT=${SQLMAP_TIMEOUT:-900}
command -v sqlmap >/dev/null || { echo "sqlmap is not installed (apt-get install sqlmap)"; exit 2; }

WORK=$(mktemp -d /tmp/sqlmap-app.XXXXXX)
export DATABASE_URL="sqlite:///$WORK/marketplace.db"
export SECRET_KEY="sqlmap-run-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export MAIL_OUTBOX_DIR="$WORK/outbox"
export RATELIMIT_ENABLED=0          # sqlmap sends thousands of requests
export FLASK_DEBUG=0
PORT=$("$VENV/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

echo "== seeding $DATABASE_URL"
"$VENV/flask" --app wsgi db upgrade >/dev/null
"$VENV/flask" --app wsgi catalog import >/dev/null
"$VENV/flask" --app wsgi maintenance import-rules >/dev/null
"$VENV/flask" --app wsgi seed demo >/dev/null

echo "== gunicorn on 127.0.0.1:$PORT"
"$VENV/gunicorn" --bind "127.0.0.1:$PORT" --workers 2 --log-level warning wsgi:app \
    >"$WORK/gunicorn.log" 2>&1 &
APP_PID=$!
trap 'kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null

URL="http://127.0.0.1:$PORT/listings/?q=test&city=x&sort=price"
rm -rf "$OUT"
set -x
timeout "$SQLMAP_TIMEOUT" sqlmap -u "$URL" --batch --level 2 --risk 1 --random-agent \
    --threads 2 --time-sec 2 --output-dir="$OUT" 2>&1 | tee "$WORK/sqlmap.log" || true
set +x

echo "== summary"
grep -E "do not appear to be injectable|might be injectable|is vulnerable|appears to be|all tested parameters" \
    "$WORK/sqlmap.log" || echo "(no verdict line: see $WORK/sqlmap.log)"
if grep -q "Traceback\|Exception on" "$WORK/gunicorn.log"; then
    echo "== the app logged errors during the run:"; grep -c "Exception on" "$WORK/gunicorn.log"
    exit 1
fi
if grep -qE "is vulnerable|sqlmap identified the following injection point" "$WORK/sqlmap.log"; then
    exit 1
fi
echo "== app log: no errors; sqlmap found no injection. Log: $WORK/sqlmap.log"
