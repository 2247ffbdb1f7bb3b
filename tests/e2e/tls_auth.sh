#!/usr/bin/env bash
# tests/e2e/tls_auth.sh NODEX: --web.config.file, node_exporter's web config, against real clients.
#
# A throwaway PKI (openssl): a CA, a server certificate for 127.0.0.1, a client certificate, an
# expired one, one from another CA and one with the wrong SAN; bcrypt users from htpasswd. Then, with
# curl: basic auth over TLS (401 with WWW-Authenticate, 200 on /metrics and /-/healthy), the extra
# headers, mTLS with RequireAndVerifyClientCert and client_allowed_sans, rate_limit's 429, configs
# that must fail at start with one FILE:LINE line, certificate and user rotation without a restart;
# and a real Prometheus scraping over TLS with basic auth and with a client certificate.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
need_peer /usr/bin/openssl "Debian package openssl"
need_peer /usr/bin/curl "Debian package curl"
need_peer /usr/bin/htpasswd "Debian package apache2-utils"
need_peer /usr/bin/prometheus "Debian package prometheus"

PKI=$E2E_TMP/pki
mkdir -p "$PKI"

# --- PKI ---------------------------------------------------------------------------------------------
# make_ca NAME: a self-signed CA NAME.crt/NAME.key.
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$1" \
    -keyout "$PKI/$1.key" -out "$PKI/$1.crt" 2>>"$PKI/openssl.log" || die "openssl: cannot make CA $1"
}
# make_cert CA NAME EXTENSIONS: NAME.crt/NAME.key signed by CA, valid now.
make_cert() {
  local ca=$1 name=$2 ext=$3
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$PKI/$name.key" -out "$PKI/$name.csr" 2>>"$PKI/openssl.log" || die "openssl: cannot make key $name"
  printf '%b\n' "$ext" >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial -days 2 \
    -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>>"$PKI/openssl.log" || die "openssl: cannot sign $name"
}
make_ca ca
make_ca otherca
make_cert ca server 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'
make_cert ca server2 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'
make_cert ca client 'subjectAltName=DNS:prometheus.example\nextendedKeyUsage=clientAuth'
make_cert ca wrongsan 'subjectAltName=DNS:intruder.example\nextendedKeyUsage=clientAuth'
make_cert otherca stranger 'subjectAltName=DNS:prometheus.example\nextendedKeyUsage=clientAuth'
# An expired client certificate: `openssl x509 -days` cannot go back in time, `openssl ca` can.
mkdir -p "$PKI/ca.db"
: >"$PKI/ca.db/index.txt"
cat >"$PKI/ca.cnf" <<EOF
[ca]
default_ca = test
[test]
database = $PKI/ca.db/index.txt
new_certs_dir = $PKI/ca.db
serial = $PKI/ca.db/serial
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = client
[any]
commonName = supplied
[client]
subjectAltName = DNS:prometheus.example
extendedKeyUsage = clientAuth
EOF
echo 1000 >"$PKI/ca.db/serial"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=expired" \
  -keyout "$PKI/expired.key" -out "$PKI/expired.csr" 2>>"$PKI/openssl.log" || die "openssl: cannot make key expired"
openssl ca -batch -config "$PKI/ca.cnf" -cert "$PKI/ca.crt" -keyfile "$PKI/ca.key" -in "$PKI/expired.csr" \
  -startdate 20200101000000Z -enddate 20200102000000Z -out "$PKI/expired.crt" >>"$PKI/openssl.log" 2>&1 ||
  die "openssl ca: cannot make the expired certificate: $(tail -3 "$PKI/openssl.log")"
openssl x509 -in "$PKI/expired.crt" -noout -checkend 0 >/dev/null 2>&1 && die "the 'expired' certificate is not expired"
pass "PKI: CA, server, client, expired, other-CA and wrong-SAN certificates"

# bcrypt users, as the docs say to make them.
hash_of() { htpasswd -nbB -C 5 "$1" "$2" | head -1 | cut -d: -f2-; }
PROM_HASH=$(hash_of prometheus 's3cret pass')
NEW_HASH=$(hash_of prometheus 'rotated')
[[ $PROM_HASH == '$2y$05$'* ]] || die "htpasswd made no bcrypt hash: '$PROM_HASH'"

# --- helpers -----------------------------------------------------------------------------------------
CURL_TLS=(--cacert "$PKI/ca.crt")
CLIENT=(--cert "$PKI/client.crt" --key "$PKI/client.key")

# header FILE NAME: the value of response header NAME (case-insensitive), without CR.
header() {
  awk -v want="$(tr '[:upper:]' '[:lower:]' <<<"$2")" '
    { sub(/\r$/, "") }
    index(tolower($0), want ":") == 1 { v = substr($0, length(want) + 2); sub(/^[ \t]+/, "", v); print v }
  ' "$1" | tail -n 1
}

# expect CODE DESCRIPTION URL [CURL_ARGS...]: the request's status is CODE (000: no HTTP answer).
expect() {
  local want=$1 what=$2 url=$3 got
  shift 3
  got=$(http_status "$url" "$@")
  if [[ $got == "$want" ]]; then pass "$what: $got"; else fail "$what: got $got, want $want"; fi
}

# server_serial PORT: the serial number of the certificate the server presents now (new connection).
server_serial() {
  timeout 10 openssl s_client -connect "127.0.0.1:$1" -CAfile "$PKI/ca.crt" </dev/null 2>/dev/null |
    openssl x509 -noout -serial 2>/dev/null | cut -d= -f2
}

# doctor_endpoint PORT: the metrics-endpoint line of `nodex doctor` for 127.0.0.1:PORT.
doctor_endpoint() {
  timeout 30 "$NODEX" doctor "--web.listen-address=127.0.0.1:$1" --doctor.timeout=5000 2>&1 |
    grep -E '^[a-z]+ +metrics-endpoint '
}

# write_config FILE: stdin to FILE through a rename, as config management and Secret volumes do.
write_config() {
  cat >"$1.tmp" && mv -f "$1.tmp" "$1"
}

# --- basic auth over TLS -----------------------------------------------------------------------------
WEB=$E2E_TMP/web
mkdir -p "$WEB"
cp "$PKI/server.crt" "$WEB/tls.crt"
cp "$PKI/server.key" "$WEB/tls.key"
# auth_config HASH: the config, with relative paths (resolved against the config file's directory,
# as exporter-toolkit does).
auth_config() {
  write_config "$WEB/web.yml" <<EOF
tls_server_config:
  cert_file: tls.crt
  key_file: tls.key
http_server_config:
  http2: true
  headers:
    X-Frame-Options: deny
    X-Content-Type-Options: nosniff
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  prometheus: '$1'
EOF
}
auth_config "$PROM_HASH"
start_nodex "$NODEX" "--web.config.file=$WEB/web.yml"
AUTH_PID=$NODEX_PID AUTH_PORT=$NODEX_PORT AUTH_LOG=$NODEX_LOG
url="https://127.0.0.1:$AUTH_PORT"

expect 000 "plain HTTP to the TLS port gets no HTTP answer" "http://127.0.0.1:$AUTH_PORT/metrics"
expect 000 "a client that does not trust the CA fails the handshake" "$url/metrics"
line=$(doctor_endpoint "$AUTH_PORT")
if [[ $line == warn* && $line == *"$url/metrics answers TLS (certificate CN server"* && $line == *"not fetched"* ]]; then
  pass "doctor: a TLS endpoint is a warning, not a failure: $(cut -c1-160 <<<"$line")"
else
  fail "doctor on the TLS endpoint: want warn mentioning TLS, got: $line"
fi
code=$(http_status "$url/metrics" "${CURL_TLS[@]}" -D "$E2E_TMP/noauth.hdr")
if [[ $code == 401 && $(header "$E2E_TMP/noauth.hdr" WWW-Authenticate) == Basic* ]]; then
  pass "no password: 401 with WWW-Authenticate: $(header "$E2E_TMP/noauth.hdr" WWW-Authenticate)"
else
  fail "no password: got $code, WWW-Authenticate '$(header "$E2E_TMP/noauth.hdr" WWW-Authenticate)'; want 401 and Basic"
fi
code=$(http_status "$url/metrics" "${CURL_TLS[@]}" -u 'prometheus:wrong' -D "$E2E_TMP/wrong.hdr")
if [[ $code == 401 && $(header "$E2E_TMP/wrong.hdr" WWW-Authenticate) == Basic* ]]; then
  pass "wrong password: 401 with WWW-Authenticate"
else
  fail "wrong password: got $code, want 401 with WWW-Authenticate"
fi
expect 401 "unknown user" "$url/metrics" "${CURL_TLS[@]}" -u 'nobody:s3cret pass'
expect 401 "no password on /-/healthy" "$url/-/healthy" "${CURL_TLS[@]}"
expect 401 "no password on /" "$url/" "${CURL_TLS[@]}"
code=$(http_status "$url/metrics" "${CURL_TLS[@]}" -u 'prometheus:s3cret pass' -D "$E2E_TMP/ok.hdr" -o "$E2E_TMP/ok.txt")
if [[ $code == 200 ]] && grep -q '^node_load1 ' "$E2E_TMP/ok.txt"; then
  pass "right password: 200 with metrics"
else
  fail "right password: got $code (or no node_load1)"
fi
expect 200 "right password on /-/healthy" "$url/-/healthy" "${CURL_TLS[@]}" -u 'prometheus:s3cret pass'
for h in 'X-Frame-Options:deny' 'X-Content-Type-Options:nosniff' 'Strict-Transport-Security:max-age=31536000'; do
  for f in ok noauth; do
    got=$(header "$E2E_TMP/$f.hdr" "${h%%:*}")
    [[ $got == "${h#*:}" ]] && pass "$f response has ${h%%:*}: $got" || fail "$f response: ${h%%:*} is '$got', want '${h#*:}'"
  done
done
# Steady scrapes are answered from the cache of successful checks, not bcrypt each time: with a
# cost-5 hash this is not measurable by time here, so only check that many scrapes in a row work.
ok=0
for ((i = 0; i < 20; i++)); do
  [[ $(http_status "$url/-/healthy" "${CURL_TLS[@]}" -u 'prometheus:s3cret pass') == 200 ]] && ok=$((ok + 1))
done
[[ $ok == 20 ]] && pass "20 authenticated requests in a row: 200" || fail "only $ok of 20 authenticated requests got 200"

# --- rotation without a restart ----------------------------------------------------------------------
old_serial=$(server_serial "$AUTH_PORT")
new_serial=$(openssl x509 -in "$PKI/server2.crt" -noout -serial | cut -d= -f2)
[[ -n $old_serial && $old_serial != "$new_serial" ]] || fail "cannot read the served certificate's serial ('$old_serial')"
cp "$PKI/server2.crt" "$WEB/tls.crt.new" && cp "$PKI/server2.key" "$WEB/tls.key.new"
mv -f "$WEB/tls.key.new" "$WEB/tls.key" && mv -f "$WEB/tls.crt.new" "$WEB/tls.crt"
got=""
for ((i = 0; i < 50; i++)); do  # The files are checked at most once a second: up to 10 s.
  got=$(server_serial "$AUTH_PORT")
  [[ $got == "$new_serial" ]] && break
  sleep 0.2
done
if [[ $got == "$new_serial" ]]; then
  pass "certificate rotation: new connections get the new certificate (serial $new_serial) without a restart"
else
  fail "certificate rotation: still serial '$got' after 10 s, want $new_serial"
fi
expect 200 "after certificate rotation, scrapes work" "$url/metrics" "${CURL_TLS[@]}" -u 'prometheus:s3cret pass'

auth_config "$NEW_HASH"
got=""
for ((i = 0; i < 50; i++)); do
  got=$(http_status "$url/-/healthy" "${CURL_TLS[@]}" -u 'prometheus:rotated')
  [[ $got == 200 ]] && break
  sleep 0.2
done
[[ $got == 200 ]] && pass "user rotation: the new password works without a restart" ||
  fail "user rotation: the new password still gets $got after 10 s"
expect 401 "user rotation: the old password is refused" "$url/-/healthy" "${CURL_TLS[@]}" -u 'prometheus:s3cret pass'

# A broken edit keeps the last good config, logged once.
echo "basic_auth_users: {prometheus: not-a-hash}" | write_config "$WEB/web.yml"
for ((i = 0; i < 50; i++)); do  # The file is looked at when requests come in.
  http_status "$url/-/healthy" "${CURL_TLS[@]}" >/dev/null
  grep -q 'Reloading the web config failed' "$AUTH_LOG" && break
  sleep 0.2
done
if grep -q "Reloading the web config failed.*web.yml:1: basic_auth_users" "$AUTH_LOG"; then
  pass "a broken config is logged: $(grep -m1 'Reloading the web config failed' "$AUTH_LOG" | cut -c1-160)"
else
  fail "a broken config was not logged within 10 s"
fi
expect 200 "a broken config keeps the last good one" "$url/-/healthy" "${CURL_TLS[@]}" -u 'prometheus:rotated'
sleep 1.5  # Past the next check, which must not log the same error again.
http_status "$url/-/healthy" "${CURL_TLS[@]}" >/dev/null
n=$(grep -c 'Reloading the web config failed' "$AUTH_LOG")
[[ $n == 1 ]] && pass "the broken config is logged once" || fail "the broken config was logged $n times, want 1"
kill -0 "$AUTH_PID" 2>/dev/null || fail "nodex died during rotation"
e2e_stop_pid "$AUTH_PID"

# --- mTLS --------------------------------------------------------------------------------------------
write_config "$E2E_TMP/mtls.yml" <<EOF
tls_server_config:
  cert_file: $PKI/server.crt
  key_file: $PKI/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: $PKI/ca.crt
  client_allowed_sans: [prometheus.example]
EOF
start_nodex "$NODEX" "--web.config.file=$E2E_TMP/mtls.yml"
MTLS_PID=$NODEX_PID MTLS_PORT=$NODEX_PORT
url="https://127.0.0.1:$MTLS_PORT"
expect 200 "mTLS: the right client certificate" "$url/metrics" "${CURL_TLS[@]}" "${CLIENT[@]}"
expect 200 "mTLS: the right client certificate on /-/healthy" "$url/-/healthy" "${CURL_TLS[@]}" "${CLIENT[@]}"
expect 000 "mTLS: no client certificate is rejected" "$url/-/healthy" "${CURL_TLS[@]}"
line=$(doctor_endpoint "$MTLS_PORT")
if [[ $line == warn* && $line == *"answers TLS and requires a client certificate"* ]]; then
  pass "doctor: an mTLS endpoint is a warning about the client certificate: $(cut -c1-160 <<<"$line")"
else
  fail "doctor on the mTLS endpoint: want warn mentioning the client certificate, got: $line"
fi
expect 000 "mTLS: an expired client certificate is rejected" "$url/-/healthy" "${CURL_TLS[@]}" \
  --cert "$PKI/expired.crt" --key "$PKI/expired.key"
expect 000 "mTLS: a certificate from another CA is rejected" "$url/-/healthy" "${CURL_TLS[@]}" \
  --cert "$PKI/stranger.crt" --key "$PKI/stranger.key"
expect 000 "mTLS: a certificate without an allowed SAN is rejected" "$url/-/healthy" "${CURL_TLS[@]}" \
  --cert "$PKI/wrongsan.crt" --key "$PKI/wrongsan.key"
expect 000 "mTLS: the server's own certificate (no clientAuth use) is rejected" "$url/-/healthy" "${CURL_TLS[@]}" \
  --cert "$PKI/server.crt" --key "$PKI/server.key"
expect 200 "mTLS over TLS 1.2" "$url/metrics" "${CURL_TLS[@]}" "${CLIENT[@]}" --tlsv1.2 --tls-max 1.2
expect 000 "mTLS over TLS 1.2 without a certificate" "$url/metrics" "${CURL_TLS[@]}" --tlsv1.2 --tls-max 1.2
expect 000 "TLS 1.1 is below the default min_version" "$url/metrics" "${CURL_TLS[@]}" "${CLIENT[@]}" --tlsv1.1 --tls-max 1.1

# --- rate_limit --------------------------------------------------------------------------------------
# One request an hour after a burst of 3: the fourth quick request is refused, whatever the timing.
write_config "$E2E_TMP/rate.yml" <<EOF
rate_limit:
  interval: 1h
  burst: 3
EOF
start_nodex "$NODEX" "--web.config.file=$E2E_TMP/rate.yml"
codes=""
for ((i = 0; i < 5; i++)); do codes+="$(http_status "http://127.0.0.1:$NODEX_PORT/-/healthy") "; done
[[ $codes == "200 200 200 429 429 " ]] && pass "rate_limit burst 3: $codes" || fail "rate_limit burst 3: got $codes, want 200 200 200 429 429"
e2e_stop_pid "$NODEX_PID"

# --- configs that must not start ---------------------------------------------------------------------
# expect_start_failure NAME WANT_LOCATION: nodex exits non-zero within 10 s with one error line naming it.
expect_start_failure() {
  local name=$1 want=$2 rc out
  timeout 10 "$NODEX" "--web.listen-address=127.0.0.1:$(free_port)" "--web.config.file=$E2E_TMP/$name.yml" \
    --collector.disable-defaults --collector.loadavg >"$E2E_TMP/$name.out" 2>&1
  rc=$?
  out=$(grep -E 'level=error' "$E2E_TMP/$name.out")
  if [[ $rc != 0 && $rc != 124 && $(wc -l <<<"$out") == 1 && $out == *"$E2E_TMP/$name.yml:$want"* ]]; then
    pass "$name: exit $rc, $(sed 's/.*err=//' <<<"$out" | cut -c1-150)"
  else
    fail "$name: exit $rc, want non-zero and one error line with $name.yml:$want; got:"$'\n'"$(cat "$E2E_TMP/$name.out")"
  fi
}
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n  cert_fle: x\n' "$PKI/server.crt" "$PKI/server.key" |
  write_config "$E2E_TMP/unknown_key.yml"
expect_start_failure unknown_key '4: unknown key \"cert_fle\" in tls_server_config'
printf 'basic_auth_users:\n  alice: %s\n  bob: plaintext\n' "$PROM_HASH" | write_config "$E2E_TMP/bad_hash.yml"
expect_start_failure bad_hash '3: basic_auth_users: the password of \"bob\" is not a bcrypt hash'
printf 'tls_server_config:\n  cert_file: %s/missing.crt\n  key_file: %s\n' "$PKI" "$PKI/server.key" |
  write_config "$E2E_TMP/missing_cert.yml"
expect_start_failure missing_cert "2: cert_file: open $PKI/missing.crt"
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$PKI/server.crt" "$PKI/client.key" |
  write_config "$E2E_TMP/wrong_key.yml"
expect_start_failure wrong_key "2: cannot load the certificate and key"
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n  client_auth_type: RequireAndVerifyClientCert\n' \
  "$PKI/server.crt" "$PKI/server.key" | write_config "$E2E_TMP/no_client_ca.yml"
expect_start_failure no_client_ca "4: client_auth_type RequireAndVerifyClientCert needs client_ca_file"

# --- a real Prometheus over TLS ----------------------------------------------------------------------
write_config "$E2E_TMP/auth2.yml" <<EOF
tls_server_config:
  cert_file: $PKI/server.crt
  key_file: $PKI/server.key
basic_auth_users:
  prometheus: '$PROM_HASH'
EOF
printf 's3cret pass' >"$E2E_TMP/password"
start_nodex "$NODEX" "--web.config.file=$E2E_TMP/auth2.yml"
BASIC_PORT=$NODEX_PORT BASIC_LOG=$NODEX_LOG
prom_port=$(free_port)
prom_url="http://127.0.0.1:$prom_port"
mkdir -p "$E2E_TMP/tsdb"
cat >"$E2E_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: basic
    scheme: https
    tls_config:
      ca_file: $PKI/ca.crt
    basic_auth:
      username: prometheus
      password_file: $E2E_TMP/password
    static_configs:
      - targets: ['127.0.0.1:$BASIC_PORT']
  - job_name: mtls
    scheme: https
    tls_config:
      ca_file: $PKI/ca.crt
      cert_file: $PKI/client.crt
      key_file: $PKI/client.key
    static_configs:
      - targets: ['127.0.0.1:$MTLS_PORT']
  - job_name: mtls_nocert
    scheme: https
    tls_config:
      ca_file: $PKI/ca.crt
    static_configs:
      - targets: ['127.0.0.1:$MTLS_PORT']
EOF
/usr/bin/prometheus "--config.file=$E2E_TMP/prometheus.yml" "--storage.tsdb.path=$E2E_TMP/tsdb" \
  "--web.listen-address=127.0.0.1:$prom_port" >"$E2E_TMP/prometheus.log" 2>&1 &
prom_pid=$!
e2e_track "$prom_pid"
wait_listen "$prom_pid" "$prom_port" 30 || die "prometheus did not listen within 30 s: $(tail -5 "$E2E_TMP/prometheus.log")"

# query PROMQL: the value of the first result, or nothing.
query() {
  curl -sS --max-time 5 -G "$prom_url/api/v1/query" --data-urlencode "query=$1" 2>/dev/null |
    python3 -c 'import json, sys
try:
    d = json.load(sys.stdin)
    r = d["data"]["result"]
    print(r[0]["value"][1] if d.get("status") == "success" and r else "")
except Exception:
    print("")'
}
deadline=$((SECONDS + 45))
basic="" mtls="" nocert=""
while ((SECONDS < deadline)); do
  kill -0 "$prom_pid" 2>/dev/null || die "prometheus exited: $(tail -5 "$E2E_TMP/prometheus.log")"
  basic=$(query 'up{job="basic"}')
  mtls=$(query 'up{job="mtls"}')
  nocert=$(query 'up{job="mtls_nocert"}')
  load=$(query 'node_load1{job="basic"}')
  [[ $basic == 1 && $mtls == 1 && $nocert == 0 && -n $load ]] && break
  sleep 1
done
[[ $basic == 1 && -n $load ]] && pass "Prometheus scrapes over TLS with basic auth: up == 1, node_load1 = $load" ||
  fail "Prometheus over TLS with basic auth: up is '$basic' (node_load1 '$load') after 45 s"
[[ $mtls == 1 ]] && pass "Prometheus scrapes with a client certificate (mTLS): up == 1" ||
  fail "Prometheus with a client certificate: up is '$mtls' after 45 s"
[[ $nocert == 0 ]] && pass "Prometheus without a client certificate is refused: up == 0" ||
  fail "Prometheus without a client certificate: up is '$nocert', want 0"
if [[ $basic != 1 || $mtls != 1 ]]; then
  curl -sS --max-time 5 "$prom_url/api/v1/targets" >&2
  echo >&2
  tail -20 "$BASIC_LOG" >&2
fi

finish
