#!/usr/bin/env bash
# tests/e2e/deploy_manifests.sh NODEX: deploy/kubernetes is valid and says what it promises.
#
# - `kubectl kustomize` renders deploy/kubernetes and overlays/tls-auth;
# - every manifest, as written and as rendered, validates against the Kubernetes OpenAPI schema
#   (the npm packages kubernetes-models and @kubernetes-models/prometheus-operator, installed by this test
#   into the build directory, never into the source tree);
# - the rendered DaemonSet has the settings of the deployment issue (host namespaces, DNS policy, args,
#   port, probes, resources, hardening, read-only host mounts, maxSurge 0, ...);
# - the overlay's web config uses node_exporter's web-config keys;
# - `nodex lint` reports no error and no warning, on the directory and on both renderings.
source "$(dirname "$0")/lib.sh"

NODEX=${1:-}
need_binary "$NODEX"
need_peer /usr/bin/node "Debian package nodejs"
need_peer /usr/bin/npm "Debian package npm"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
K8S=$REPO/deploy/kubernetes
VALIDATE=$REPO/tests/e2e/deploy/validate.mjs

# --- validators from npm, cached next to the binary --------------------------------------------------
NPM_DIR=${NODEX_DEPLOY_NPM_DIR:-$(cd "$(dirname "$NODEX")" && pwd)/deploy-npm}
NPM_PACKAGES=(kubernetes-models@5.1.0 @kubernetes-models/prometheus-operator@6.0.0 yaml@2.8.1)
stamp="$NPM_DIR/.installed"
if [[ ! -f $stamp || $(cat "$stamp") != "${NPM_PACKAGES[*]}" ]]; then
  mkdir -p "$NPM_DIR" || die "cannot create $NPM_DIR"
  [[ -f $NPM_DIR/package.json ]] || echo '{"private": true}' >"$NPM_DIR/package.json"
  if ! (cd "$NPM_DIR" && timeout 300 npm install --no-audit --no-fund --no-save --loglevel=error \
    "${NPM_PACKAGES[@]}") >"$E2E_TMP/npm.log" 2>&1; then
    die "npm install ${NPM_PACKAGES[*]} into $NPM_DIR failed:"$'\n'"$(tail -20 "$E2E_TMP/npm.log")"
  fi
  echo "${NPM_PACKAGES[*]}" >"$stamp"
fi
export NODE_PATH=$NPM_DIR/node_modules
pass "validators: ${NPM_PACKAGES[*]} in $NPM_DIR"

# validate MODE FILE...: run validate.mjs, show its findings, record a failure when it fails.
validate() {
  local mode=$1 out
  shift
  out=$(node "$VALIDATE" "$mode" "$@" 2>&1)
  local rc=$?
  grep -v '^ok: ' <<<"$out" >&2
  if ((rc == 0)); then
    pass "$mode: $(grep -c '^ok: ' <<<"$out") checks on ${*##*/}"
  else
    fail "$mode check failed on $*"
  fi
}

# --- render ----------------------------------------------------------------------------------------
base="$E2E_TMP/base.yaml"
overlay="$E2E_TMP/tls-auth.yaml"
if command -v kubectl >/dev/null; then
  timeout 60 kubectl kustomize "$K8S" >"$base" 2>"$E2E_TMP/kustomize.err" ||
    die "kubectl kustomize deploy/kubernetes failed: $(cat "$E2E_TMP/kustomize.err")"
  timeout 60 kubectl kustomize "$K8S/overlays/tls-auth" >"$overlay" 2>"$E2E_TMP/kustomize.err" ||
    die "kubectl kustomize deploy/kubernetes/overlays/tls-auth failed: $(cat "$E2E_TMP/kustomize.err")"
  pass "kubectl kustomize renders deploy/kubernetes ($(grep -c '^kind:' "$base") objects) and overlays/tls-auth ($(grep -c '^kind:' "$overlay") objects)"
else
  # Without kubectl (not a Debian package), the base is the concatenation of what its kustomization lists.
  echo "SKIP-CHECK: kubectl kustomize (kubectl not installed); checking the base's resource list instead"
  resources=$(sed -n '/^resources:/,/^[a-z]/s/^  - //p' "$K8S/base/kustomization.yaml")
  : >"$base"
  for r in $resources; do
    [[ -f $K8S/base/$r ]] || fail "base/kustomization.yaml lists $r, which does not exist"
    { echo '---'; cat "$K8S/base/$r"; } >>"$base"
  done
  overlay=
fi
# The image the manifests run is the one `make image` builds from this nodex.
version=$("$NODEX" --version | awk '{print $3}')
if [[ -n $overlay ]]; then
  image=$(sed -nE 's/^ +image: (.*)$/\1/p' "$base")
  [[ $image == "localhost/nodex:$version" ]] && pass "the DaemonSet runs localhost/nodex:$version" ||
    fail "the rendered DaemonSet runs '$image', want localhost/nodex:$version (make image's tag; base/kustomization.yaml)"
fi
# Every manifest in base/ is listed by its kustomization.
for f in "$K8S"/base/*.yaml; do
  n=$(basename "$f")
  [[ $n == kustomization.yaml ]] && continue
  grep -qE "^  - $n\$" "$K8S/base/kustomization.yaml" || fail "base/$n is not listed in base/kustomization.yaml"
done

# --- schema ----------------------------------------------------------------------------------------
mapfile -t manifests < <(find "$K8S" -name '*.yaml' ! -name kustomization.yaml | sort)
validate schema "${manifests[@]}" "$base" ${overlay:+"$overlay"}

# --- what the deployment promises ------------------------------------------------------------------
validate daemonset "$base"
validate webconfig "$K8S/overlays/tls-auth/web-config.yml"
if [[ -n $overlay ]]; then
  grep -q -- '--web.config.file=/etc/nodex/web/web-config.yml' "$overlay" ||
    fail "the tls-auth overlay does not pass --web.config.file"
  grep -q '^kind: Secret$' "$overlay" || fail "the tls-auth overlay generates no Secret for the web config"
fi

# --- nodex lint --------------------------------------------------------------------------------------
# `nodex lint` is the lint issue's; until the binary has it, say so instead of failing on its absence.
if "$NODEX" lint --help 2>&1 | grep -qi manifest; then
  lint_clean() {
    local what=$1 json=$E2E_TMP/lint.json
    shift
    "$NODEX" lint -o json --fail-on warn "$@" >"$json" 2>"$E2E_TMP/lint.err"
    local rc=$?
    local summary
    summary=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["error"], s["warn"], s["info"], s["objects"])' "$json" 2>&1)
    read -r errors warns infos objects <<<"$summary"
    if [[ $rc == 0 && $errors == 0 && $warns == 0 ]]; then
      pass "nodex lint $what: $objects objects, 0 error, 0 warn ($infos info)"
    else
      fail "nodex lint $what: exit $rc, summary '$summary':"$'\n'"$("$NODEX" lint "$@" 2>&1)"
    fi
  }
  lint_clean "deploy/kubernetes" "$K8S"
  lint_clean "(rendered base)" "$base"
  [[ -n $overlay ]] && lint_clean "(rendered tls-auth overlay)" "$overlay"
else
  echo "SKIP-CHECK: nodex lint reports no error and no warning (TODO: 'nodex lint' is not in this binary yet; the lint issue adds it)"
fi

finish
