#!/usr/bin/env bash
# The production shape on one machine (docs/deployment.md, section 4): gunicorn with
# the application preloaded and several workers, one Celery worker and Celery beat, on
# PostgreSQL and Redis, DEBUG off. `make prod` runs it after `migrate` and
# `collectstatic`; stop it with Ctrl-C (every process stops; so do all when one dies).
#
#   HUIGONG_DATABASE_URL=postgres://… HUIGONG_REDIS_URL=redis://127.0.0.1:6379/0 \
#   HUIGONG_ENV=production HUIGONG_SECRET_KEY=… HUIGONG_ENCRYPTION_KEY=… HUIGONG_HASH_KEY=… make prod
#
# WEB_WORKERS (default: 2 per CPU core), HOST and PORT change the web side.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${HUIGONG_DATABASE_URL:-}" in
  postgres*) ;;
  *) echo "make prod needs HUIGONG_DATABASE_URL=postgres://… (the embedded SQLite is for make run)" >&2; exit 2 ;;
esac
[ -n "${HUIGONG_REDIS_URL:-}" ] || { echo "make prod needs HUIGONG_REDIS_URL (cache and Celery broker)" >&2; exit 2; }

VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WEB_WORKERS=${WEB_WORKERS:-$((2 * $(nproc)))}
VAR=${HUIGONG_VAR_DIR:-var}
mkdir -p "$VAR"

stop() {
  trap - EXIT INT TERM
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM
# --preload imports the application once, before forking: workers start serving at
# once, and they share the loaded code (restart, not HUP, to load new code).
"$VENV/bin/gunicorn" huigong.wsgi --preload --bind "$HOST:$PORT" --workers "$WEB_WORKERS" \
  --timeout 60 --access-logfile - \
  --logger-class huigong.common.gunicorn_logging.RedactingLogger &
"$VENV/bin/celery" -A huigong worker --loglevel INFO &
"$VENV/bin/celery" -A huigong beat --loglevel INFO --schedule "$VAR/celerybeat-schedule" &
echo "Huigong on http://$HOST:$PORT with $WEB_WORKERS web workers, a Celery worker and beat;"
echo "ready when http://$HOST:$PORT/readyz answers 200. Ctrl-C stops all."
wait -n
echo "a process stopped; stopping the others" >&2
exit 1
