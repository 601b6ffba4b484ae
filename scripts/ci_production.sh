#!/usr/bin/env bash
# Proves the production path of docs/deployment.md from requirements.txt alone: a fresh
# virtual environment (no dev requirements), the production static build, a fresh
# PostgreSQL database, gunicorn, a Celery worker and beat on Redis, with DEBUG off; then
# fetches the staff sign-in page, its static files, the portal, the API and /healthz
# through gunicorn, and smoke-tests the shape on the demo county: a worker's case through
# the API, an import checked and written by the Celery worker, the deadline sweep sent by
# beat, the dashboard read from the rollup the worker made (scripts/ci_smoke.py reads the
# results). Run by .ci/run after `make test`; stops
# everything it started on exit.
#
# Needs PostgreSQL (postgres user, trust auth) and Redis on 127.0.0.1; overridable:
#   HUIGONG_PRODCHECK_PG     server URL without database  (postgres://postgres@127.0.0.1:5432)
#   HUIGONG_PRODCHECK_DB     database, dropped and created (huigong_prodcheck)
#   HUIGONG_PRODCHECK_REDIS  Redis server URL without db  (redis://127.0.0.1:6379)
#   HUIGONG_PRODCHECK_REDIS_DB  a spare Redis db for the cache; the next one is the broker (11)
#   HUIGONG_PRODCHECK_PORT   gunicorn's port               (8765)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
START=$SECONDS

PG=${HUIGONG_PRODCHECK_PG:-postgres://postgres@127.0.0.1:5432}
DB=${HUIGONG_PRODCHECK_DB:-huigong_prodcheck}
REDIS=${HUIGONG_PRODCHECK_REDIS:-redis://127.0.0.1:6379}
REDIS_DB=${HUIGONG_PRODCHECK_REDIS_DB:-11}
PORT=${HUIGONG_PRODCHECK_PORT:-8765}
BASE=http://127.0.0.1:$PORT
WORK=$(mktemp -d "${TMPDIR:-/tmp}/huigong-prodcheck.XXXXXX")
VENV=$WORK/venv
PIDS=()

# The installed package, not the checkout's src/ (the Makefile exports PYTHONPATH=src).
unset PYTHONPATH DJANGO_SETTINGS_MODULE
for name in $(compgen -e | grep '^HUIGONG_' || true); do unset "$name"; done

step() { printf '\n== ci_production [%3ds] %s\n' $((SECONDS - START)) "$*"; }

show_logs() {
  for log in "$WORK"/*.log; do
    [ -f "$log" ] || continue
    echo "---- last lines of $(basename "$log")"
    tail -n 40 "$log"
  done
}

fail() {
  echo "ci_production: FAILED: $*" >&2
  show_logs >&2
  exit 1
}

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  dropdb --if-exists --maintenance-db="$PG/postgres" "$DB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  if [ "$status" -eq 0 ]; then
    echo "ci_production: OK in $((SECONDS - START)) s"
  else
    echo "ci_production: FAILED (exit $status) after $((SECONDS - START)) s" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v pg_isready >/dev/null || fail "the PostgreSQL client tools are not installed"
pg_isready -d "$PG/postgres" -q || fail "PostgreSQL is not reachable at $PG"

step "1. Install (docs/deployment.md, section 1) into a fresh venv: $VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt \
  >"$WORK/pip.log" 2>&1 || fail "pip install -r requirements.txt"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
bash scripts/copy_vendor.sh
touch src/huigong/static/vendor/.stamp  # what `make static` records after the same copy
rm -rf build  # setuptools' staging copy: never let an old one into the package
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps . \
  >>"$WORK/pip.log" 2>&1 || fail "pip install --no-deps ."
rm -rf build
"$VENV/bin/pip" check
"$VENV/bin/python" - <<'EOF' || fail "the installed package lacks the front-end files"
import pathlib, huigong
static = pathlib.Path(huigong.__file__).parent / "static" / "vendor" / "tabler" / "css"
assert (static / "tabler.min.css").is_file(), static
print("installed package:", pathlib.Path(huigong.__file__).parent)
EOF

step "2. Secrets and settings (section 2)"
secret=$("$VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(50))")
fernet=$("$VENV/bin/python" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())")
hash_key=$("$VENV/bin/python" -c "import secrets; print(secrets.token_hex(32))")
cat >"$WORK/env" <<EOF
HUIGONG_ENV=production
HUIGONG_SECRET_KEY=$secret
HUIGONG_ENCRYPTION_KEY=$fernet
HUIGONG_HASH_KEY=$hash_key
HUIGONG_DATABASE_URL=$PG/$DB
HUIGONG_REDIS_URL=$REDIS/$REDIS_DB
HUIGONG_CELERY_BROKER_URL=$REDIS/$((REDIS_DB + 1))
HUIGONG_ALLOWED_HOSTS=127.0.0.1,localhost
HUIGONG_CSRF_TRUSTED_ORIGINS=https://127.0.0.1
HUIGONG_STATIC_ROOT=$WORK/static
HUIGONG_MEDIA_ROOT=$WORK/media
HUIGONG_PRIVATE_MEDIA_ROOT=$WORK/private
HUIGONG_VAR_DIR=$WORK/var
HUIGONG_SWEEP_INTERVAL_SECONDS=10
EOF
chmod 600 "$WORK/env"
set -a
# shellcheck disable=SC1091
. "$WORK/env"
set +a
cd "$WORK"  # nothing from the checkout's working directory on sys.path
HG=("$VENV/bin/python" -m huigong)

step "3. Database (section 3): $DB"
dropdb --if-exists --maintenance-db="$PG/postgres" "$DB"
createdb --maintenance-db="$PG/postgres" "$DB"
"$VENV/bin/python" -c "import redis, os; redis.Redis.from_url(os.environ['HUIGONG_REDIS_URL']).flushdb(); redis.Redis.from_url(os.environ['HUIGONG_CELERY_BROKER_URL']).flushdb()" \
  || fail "Redis is not reachable at $REDIS"
"${HG[@]}" migrate --noinput >"$WORK/migrate.log" 2>&1 || fail "migrate"
"${HG[@]}" seed_reference >>"$WORK/migrate.log" 2>&1 || fail "seed_reference"
"${HG[@]}" demo >"$WORK/demo.log" 2>&1 || fail "demo"
DJANGO_SUPERUSER_USERNAME=prodcheck DJANGO_SUPERUSER_PASSWORD="$secret" \
  DJANGO_SUPERUSER_EMAIL=prodcheck@example.org "${HG[@]}" createsuperuser --noinput >/dev/null
"${HG[@]}" collectstatic --noinput >"$WORK/collectstatic.log" 2>&1 || fail "collectstatic"
tail -n 1 "$WORK/collectstatic.log"
[ -f "$WORK/static/staticfiles.json" ] || fail "collectstatic wrote no manifest"
"${HG[@]}" check --deploy --database default --fail-level ERROR || fail "check --deploy"
"${HG[@]}" backup --output "$WORK/var/prodcheck.dump" || fail "backup"
[ "$(stat -c %a "$WORK/var/prodcheck.dump")" = 600 ] || fail "the backup is not mode 0600"
api_key=$("${HG[@]}" shell --verbosity 0 -c "
from huigong.accounts.models import ApiToken, User
print(ApiToken.issue(User.objects.get(username='prodcheck'), 'ci_production')[1])" | tail -n 1)

step "4. Processes (section 4): gunicorn on :$PORT, Celery worker and beat"
# The ExecStart lines of the systemd units, with two gunicorn workers instead of four.
"$VENV/bin/gunicorn" huigong.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 \
  --access-logfile - --logger-class huigong.common.gunicorn_logging.RedactingLogger \
  >"$WORK/gunicorn.log" 2>&1 &
PIDS+=($!)
"$VENV/bin/celery" -A huigong worker --loglevel INFO >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
"$VENV/bin/celery" -A huigong beat --loglevel INFO --schedule "$WORK/celerybeat-schedule" \
  >"$WORK/beat.log" 2>&1 &
PIDS+=($!)

alive() { for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a process died (pid $pid)"; done; }
up=""
for _ in $(seq 60); do
  alive
  if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then up=1; break; fi
  sleep 0.5
done
[ -n "$up" ] || fail "gunicorn did not answer /healthz within 30 s"

pong=""
for _ in $(seq 10); do
  alive
  if "$VENV/bin/celery" -A huigong inspect ping --timeout 3 >"$WORK/ping.out" 2>&1 \
    && grep -q pong "$WORK/ping.out"; then pong=1; break; fi
  sleep 1
done
[ -n "$pong" ] || { cat "$WORK/ping.out"; fail "the Celery worker does not answer ping"; }
echo "worker: $(grep -m1 pong "$WORK/ping.out" | sed 's/^ *//')"

# A real task through the broker: sent here, run by the worker.
"$VENV/bin/celery" -A huigong call huigong.stats.rollup_indicators >/dev/null
done_task=""
for _ in $(seq 40); do
  if grep -q "huigong.stats.rollup_indicators\[.*\] succeeded" "$WORK/worker.log"; then done_task=1; break; fi
  sleep 0.5
done
[ -n "$done_task" ] || fail "the worker did not run huigong.stats.rollup_indicators"
grep -q "beat: Starting" "$WORK/beat.log" || fail "Celery beat did not start"
echo "worker ran a task; beat is up"

step "5. Through gunicorn with DEBUG off"
# Requests arrive as nginx forwards them (X-Forwarded-Proto), so secure cookies apply.
fetch() {  # fetch <expected status> <path> [curl options…]: body in $WORK/body
  local expected=$1 path=$2 status method=GET
  shift 2
  [[ " $* " == *" -d "* ]] && method=POST
  status=$(curl -sS -o "$WORK/body" -w '%{http_code}' -H 'X-Forwarded-Proto: https' "$@" \
    "$BASE$path") || fail "$method $path: no answer"
  [ "$status" = "$expected" ] || { head -c 600 "$WORK/body"; echo; fail "$method $path: $status, expected $expected"; }
  echo "$method $path -> $status"
}
has() { grep -q -- "$1" "$WORK/body" || fail "the answer lacks '$1'"; }
json() { "$VENV/bin/python" -c "import json, sys; d = json.load(open('$WORK/body')); assert $1, d" \
  || fail "unexpected JSON: $(head -c 400 "$WORK/body")"; }

fetch 200 /healthz -H 'Host: 10.9.8.7:8001'  # a prober's address is not an allowed host
json 'd == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok", "encryption": "ok"}}'

# /readyz: every migration applied, and beat → broker → worker proven by the heartbeat
# task beat sends every 30 s (kernel-worker-heartbeat).
ready=""
for _ in $(seq 60); do
  if curl -fsS -o "$WORK/body" -H 'X-Forwarded-Proto: https' "$BASE/readyz" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 1
done
[ -n "$ready" ] || { head -c 600 "$WORK/body"; echo; fail "/readyz did not answer 200 within 60 s"; }
json 'd["checks"]["migrations"] == "ok" and d["checks"]["workers"] == "ok"'
echo "GET /readyz -> 200 (migrations applied, a worker ran the heartbeat beat sent)"

fetch 200 /accounts/login/
has '<form'
css=$(grep -o '/static/vendor/tabler/css/tabler\.min\.[0-9a-f]\{12\}\.css' "$WORK/body" | head -n 1 || true)
[ -n "$css" ] || fail "the sign-in page does not link the hashed Tabler stylesheet"
fetch 200 "$css"
[ "$(wc -c <"$WORK/body")" -gt 100000 ] || fail "$css is not the stylesheet"
fetch 200 /m/login/
has '/static/vendor/'

fetch 200 /api/v1/openapi.json
json 'd["openapi"].startswith("3.") and "/api/v1/me" in d["paths"]'
fetch 200 /api/v1/me -H "Authorization: Bearer $api_key"
json 'd["username"] == "prodcheck"'
fetch 401 /api/v1/me
json 'd["code"] == "unauthenticated"'

fetch 404 /api/v2/nothing
json 'd["code"] == "not_found"'
fetch 404 /no-such-page/ -H 'X-Request-ID: ci-prodcheck-0404'
has '返回首页'
grep -q 'URLconf' "$WORK/body" && fail "the 404 page lists URL patterns (DEBUG on?)"
sleep 0.5
grep -q '\[ci-prodcheck-0404\].*Not Found' "$WORK/gunicorn.log" \
  || fail "the request id is not in the application log"
echo "404 page is the friendly one; its log line carries the request id"

step "6. Smoke test: an API submission, an import by the worker, the sweep by beat, the dashboard from a rollup"
SMOKE=("$VENV/bin/python" "$ROOT/scripts/ci_smoke.py")
wait_for() {  # wait_for <seconds> <failure message> <command…>: until the command succeeds
  local seconds=$1 message=$2
  shift 2
  for _ in $(seq "$seconds"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  "$@" || true
  fail "$message"
}
holds() {  # holds <smoke step> <argument> <python condition on d>
  "${SMOKE[@]}" "$1" "$2" | tail -n 1 | "$VENV/bin/python" -c \
    "import json, sys; d = json.loads(sys.stdin.read()); print(d); assert $3, d"
}

worker_token=$("${SMOKE[@]}" token w2103f0d8954688 | tail -n 1)
category=$("${SMOKE[@]}" category | tail -n 1)
fetch 201 /api/v1/cases/cases -H "Authorization: Bearer $worker_token" \
  -H 'Content-Type: application/json' \
  -d "{\"category_id\": $category, \"description\": \"想在镇上找一份电工的工作,请工会帮忙推荐\"}"
json 'd["status"] == "new" and d["number"]'
number=$("$VENV/bin/python" -c "import json; print(json.load(open('$WORK/body'))['number'])")
echo "a worker's case through the API: $number"

job=$("${SMOKE[@]}" import-start county 40 | tail -n 1)
wait_for 90 "the worker did not check the import" \
  holds import-state "$job" 'd["state"] == "checked" and d["valid"] == 40'
"${SMOKE[@]}" import-confirm county "$job" >/dev/null
wait_for 90 "the worker did not import the rows" holds import-state "$job" \
  'd["state"] == "done" and d["imported"] == d["persons"] == 40 and d["staged_chunks"] == 0'
grep -q "huigong.imports.run_job\[.*\] succeeded" "$WORK/worker.log" \
  || fail "the import did not run in the Celery worker"
echo "an import of 40 rows, checked and written by the Celery worker"

"${SMOKE[@]}" make-late "$number" >/dev/null
wait_for 60 "beat's sweep did not mark the late case" \
  holds case-state "$number" '"marked_overdue" in d["events"]'
grep -q "huigong.kernel.run_sweep\[.*\] succeeded" "$WORK/worker.log" \
  || fail "the sweep did not run in the Celery worker"
echo "the case made late was marked overdue by the sweep beat sent"

# The dashboard reads the rollup the worker wrote (beat runs it every 10 minutes; here it
# is sent once more so that it covers the case and the import above).
"$VENV/bin/celery" -A huigong call huigong.stats.rollup_indicators >/dev/null
rollups_done() { [ "$(grep -c 'huigong.stats.rollup_indicators\[.*\] succeeded' "$WORK/worker.log")" -ge 2 ]; }
wait_for 120 "the worker did not run the second rollup" rollups_done
cookie=$("${SMOKE[@]}" session county | tail -n 1)
fetch 200 /stats/ -H "Cookie: $cookie"
has 'data-source="snapshot"'
has '数据更新于'
echo "the county dashboard reads the rollup and says when it was made"
alive
