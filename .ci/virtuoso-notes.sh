#!/usr/bin/env bash
# Throwaway Virtuoso 7 (Debian package virtuoso-opensource) instance:
# temp dir + custom ini, start virtuoso-t in the foreground (backgrounded by
# the shell), wait for readiness, bulk-load an N-Triples/Turtle file into a
# named graph, run a SPARQL SELECT over HTTP, shut down, clean up.
#
# Usage: bash .ci/virtuoso-notes.sh [DATA_FILE] [GRAPH_IRI]
#   env: VIRT_HTTP_PORT (default 28890), VIRT_ISQL_PORT (default 21111), KEEP=1 keeps the temp dir
# Needs: apt-get install -y virtuoso-opensource   (binaries: /usr/bin/virtuoso-t, /usr/bin/isql-vt)
set -euo pipefail

DATA=${1:-/tmp/test.nt}
GRAPH=${2:-http://example.org/g}
HTTP_PORT=${VIRT_HTTP_PORT:-28890}
ISQL_PORT=${VIRT_ISQL_PORT:-21111}
HOST=127.0.0.1

command -v virtuoso-t >/dev/null || { echo "virtuoso-t missing: apt-get install -y virtuoso-opensource" >&2; exit 1; }
command -v isql-vt   >/dev/null || { echo "isql-vt missing" >&2; exit 1; }

if [ ! -f "$DATA" ]; then   # make a tiny sample so the script is self-contained
  cat > "$DATA" <<'EOF'
<http://example.org/s1> <http://www.w3.org/2000/01/rdf-schema#label> "Subject one"@en .
<http://example.org/s1> <http://example.org/p> <http://example.org/o1> .
<http://example.org/s2> <http://www.w3.org/2000/01/rdf-schema#label> "caf\u00E9" .
EOF
fi
DATA=$(readlink -f "$DATA")
DATA_DIR=$(dirname "$DATA")

T0=$(date +%s.%N)
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/virtuoso.XXXXXX")
VPID=""
cleanup() {
  if [ -n "$VPID" ] && kill -0 "$VPID" 2>/dev/null; then
    kill "$VPID" 2>/dev/null || true; wait "$VPID" 2>/dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $TMPD"; else rm -rf "$TMPD"; fi
}
trap cleanup EXIT

# Keys that matter: [Parameters] ServerPort = ISQL/ODBC port (HOST:PORT binds to that address only),
# [HTTPServer] ServerPort = HTTP port (/sparql lives here), DirsAllowed = dirs file_to_string_output()
# and ld_dir() may read (absolute prefixes), [Database]/[TempDatabase] files all in the temp dir.
cat > "$TMPD/virtuoso.ini" <<EOF
[Database]
DatabaseFile       = $TMPD/virtuoso.db
ErrorLogFile       = $TMPD/virtuoso.log
LockFile           = $TMPD/virtuoso.lck
TransactionFile    = $TMPD/virtuoso.trx
xa_persistent_file = $TMPD/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = $TMPD/virtuoso-temp.db
TransactionFile    = $TMPD/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = $HOST:$ISQL_PORT
DisableUnixSocket  = 1
DirsAllowed        = ., $TMPD, $DATA_DIR
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
CheckpointInterval = 60
MaxQueryMem        = 500M

[HTTPServer]
ServerPort         = $HOST:$HTTP_PORT
ServerRoot         = $TMPD
ServerThreads      = 4
MaxClientConnections = 4
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows      = 100000
MaxQueryExecutionTime = 60
EOF

# +foreground keeps it attached (no daemonising), so $! is the server's PID.
(cd "$TMPD" && exec virtuoso-t +foreground +configfile "$TMPD/virtuoso.ini") > "$TMPD/stdout.log" 2>&1 &
VPID=$!

isql() { isql-vt "$HOST:$ISQL_PORT" dba dba "$@"; }

ready=0
for _ in $(seq 1 240); do   # up to ~60 s
  if ! kill -0 "$VPID" 2>/dev/null; then echo "virtuoso-t died:" >&2; cat "$TMPD/stdout.log" >&2; exit 1; fi
  if isql exec="select 1;" >/dev/null 2>&1 &&
     [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$HOST:$HTTP_PORT/sparql?query=ASK%7B%7D")" = 200 ]; then
    ready=1; break
  fi
  sleep 0.25
done
[ "$ready" = 1 ] || { echo "virtuoso not ready" >&2; tail -20 "$TMPD/stdout.log" >&2; exit 1; }
T1=$(date +%s.%N)

# Bulk load. TTLP_MT parses Turtle (N-Triples is a subset); flags 0 = strict.
# isql-vt exits 0 even on SQL errors, so grep its output for "Error".
# Alternative for many/large files:
#   ld_dir('<dir>', '*.nt', '<graph>'); rdf_loader_run(); checkpoint;
#   select ll_file, ll_state, ll_error from DB.DBA.LOAD_LIST;   -- ll_error NULL = ok
out=$(isql exec="DB.DBA.TTLP_MT(file_to_string_output('$DATA'), '', '$GRAPH', 0); checkpoint;" 2>&1)
if echo "$out" | grep -q -E '\*\*\* Error|Error [0-9A-Z]+:'; then echo "$out" >&2; exit 1; fi
T2=$(date +%s.%N)

# Query over HTTP restricted to the graph (default-graph-uri param; or FROM <g> in the query).
curl -sS --fail -G "http://$HOST:$HTTP_PORT/sparql" \
  --data-urlencode "query=SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o" \
  --data-urlencode "default-graph-uri=$GRAPH" \
  -H 'Accept: application/sparql-results+json' | tee "$TMPD/result.json"
echo
n=$(curl -sS --fail -G "http://$HOST:$HTTP_PORT/sparql" \
  --data-urlencode "query=SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }" \
  --data-urlencode "default-graph-uri=$GRAPH" \
  -H 'Accept: text/csv' | tail -1)
echo "triples in <$GRAPH>: $n"
T3=$(date +%s.%N)

# Clean shutdown (-K = shut the server down after connecting), then reap the PID.
isql -K >/dev/null 2>&1 || true
for _ in $(seq 1 80); do kill -0 "$VPID" 2>/dev/null || break; sleep 0.25; done
wait "$VPID" 2>/dev/null || true
VPID=""
T4=$(date +%s.%N)

awk -v a="$T0" -v b="$T1" -v c="$T2" -v d="$T3" -v e="$T4" 'BEGIN{
  printf "timing: startup %.2fs, load %.2fs, query %.2fs, shutdown %.2fs, total %.2fs\n", b-a, c-b, d-c, e-d, e-a }'
