#!/usr/bin/env bash
# Run a command beside a real Chroma server on loopback; the server is stopped by its PID afterwards.
# The command sees RAG_TEST_CHROMA_URL (tests/test_chroma_server.py uses it; without it, the tests
# start a server of their own). Usage: scripts/with-chroma-server.sh VENV_BIN COMMAND [ARGS...]
set -u
bin=$1; shift
dir=$(mktemp -d)
port=$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
ANONYMIZED_TELEMETRY=False "$bin/chroma" run --path "$dir/data" --host 127.0.0.1 --port "$port" > "$dir/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
if ! "$bin/python" - "$url" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        urllib.request.urlopen(sys.argv[1] + "/api/v2/heartbeat", timeout=1).read()
        sys.exit(0)
    except OSError:
        time.sleep(0.2)
sys.exit(1)
PY
then
    echo "chroma run did not answer at $url within 60 s:" >&2
    tail -20 "$dir/server.log" >&2
    exit 1
fi
echo "Chroma server for the tests: $url (pid $pid)"
RAG_TEST_CHROMA_URL="$url" "$@"
