/**
 * A bash prelude for running the README's curl examples as tests: every `curl` must answer HTTP 200 with the
 * gateway's envelope, else the script fails (set -euo pipefail), printing the status and body on stderr.
 */
export const STRICT_CURL = `set -euo pipefail
curl() {
  local out code
  out=$(command curl -sS -w '\\n%{http_code}' "$@")
  code=\${out##*$'\\n'}
  out=\${out%$'\\n'*}
  printf '%s\\n' "$out"
  if [ "$code" != 200 ] || [[ "$out" != '{"data":{"@type":"type.googleapis.com/google.protobuf.Struct"'* ]]; then
    echo "HTTP $code: $out" >&2; return 1
  fi
}
`;
