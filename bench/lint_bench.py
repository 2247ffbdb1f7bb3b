#!/usr/bin/env python3
"""`nodex lint` on a large generated manifest stream: wall time, CPU and peak RSS.

Generates a deterministic multi-document YAML stream of N Kubernetes objects
(default 10,000): DaemonSets, Deployments and StatefulSets (some with
hostNetwork, host ports, probes, resources, env-driven listen flags,
annotations), Services, ConfigMaps (block scalars) and Namespaces with Pod
Security labels, roughly 60-120 lines per workload. Then runs `nodex lint` on
it a few times each way: the file as a path, the same bytes on stdin, and a
directory holding it split into 100 files (text output), plus the file with
`-o json`. Prints the median wall time, the median user+sys CPU and the
largest peak RSS of each way, measured with wait4(2) per run.

It builds nothing and asserts nothing: it is a benchmark, not a test. Findings
do not matter (the exit status is 0 or 1); exit 2 from nodex stops the run.

Usage: bench/lint_bench.py [--nodex PATH] [--objects N] [--runs N] [--keep DIR]
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

KINDS = [  # (kind, weight)
    ("DaemonSet", 20),
    ("Deployment", 30),
    ("StatefulSet", 10),
    ("Service", 17),
    ("ConfigMap", 17),
    ("Namespace", 6),
]

IMAGES = ["quay.io/prometheus/node-exporter:v1.8.2", "registry.k8s.io/kube-proxy:v1.30.2",
          "docker.io/library/nginx:1.27", "ghcr.io/example/agent:2.4.1", "quay.io/cilium/cilium:v1.15.6",
          "registry.k8s.io/coredns/coredns:v1.11.1", "docker.io/grafana/promtail:3.0.0"]
LISTEN_FLAGS = ["--web.listen-address", "--metrics-bind-address", "--health-probe-bind-address",
                "--listen-address", "--secure-listen-address"]


def labels(lines, indent, app, component, rnd):
    pad = " " * indent
    lines.append(f"{pad}app.kubernetes.io/name: {app}")
    lines.append(f"{pad}app.kubernetes.io/component: {component}")
    lines.append(f"{pad}app.kubernetes.io/part-of: platform")
    if rnd.random() < 0.5:
        lines.append(f"{pad}app.kubernetes.io/version: \"{rnd.randint(1, 9)}.{rnd.randint(0, 30)}.{rnd.randint(0, 9)}\"")


def annotations(lines, indent, rnd, n):
    pad = " " * indent
    for k in range(n):
        choice = rnd.randrange(5)
        if choice == 0:
            lines.append(f"{pad}prometheus.io/scrape: \"true\"")
        elif choice == 1:
            lines.append(f"{pad}checksum/config-{k}: {rnd.getrandbits(128):032x}")
        elif choice == 2:
            lines.append(f"{pad}kubectl.kubernetes.io/default-container: main")
        elif choice == 3:
            lines.append(f"{pad}example.com/owner-{k}: 'team-{rnd.randrange(40)}@example.com'")
        else:
            lines.append(f"{pad}nodex.dev/ignore-HN064: \"sized by the VPA\"")


def container(lines, rnd, name, host_network, port):
    lines.append(f"        - name: {name}")
    lines.append(f"          image: {rnd.choice(IMAGES)}")
    lines.append("          imagePullPolicy: IfNotPresent")
    flag = rnd.choice(LISTEN_FLAGS)
    use_env = rnd.random() < 0.3
    lines.append("          args:")
    lines.append("            - --v=2")
    lines.append(f"            - --log-format={rnd.choice(['json', 'text'])}")
    if use_env:
        lines.append(f"            - {flag}=$(POD_IP):{port}")
    else:
        host = rnd.choice(["0.0.0.0", "127.0.0.1", "", "[::]"])
        lines.append(f"            - {flag}={host}:{port}")
    lines.append("          env:")
    lines.append("            - name: POD_IP")
    lines.append("              valueFrom:")
    lines.append("                fieldRef:")
    lines.append("                  fieldPath: status.podIP")
    lines.append("            - name: GOMAXPROCS")
    lines.append(f"              value: \"{rnd.randint(1, 4)}\"")
    lines.append("          ports:")
    lines.append("            - name: metrics")
    lines.append(f"              containerPort: {port}")
    lines.append("              protocol: TCP")
    if host_network and rnd.random() < 0.3:
        lines.append(f"              hostPort: {port}")
    if rnd.random() < 0.4:
        lines.append("            - name: health")
        lines.append(f"              containerPort: {port + 1}")
    if rnd.random() < 0.8:
        lines.append("          readinessProbe:")
        lines.append("            httpGet:")
        lines.append("              path: /ready")
        lines.append("              port: metrics")
        lines.append(f"            periodSeconds: {rnd.choice([5, 10, 15])}")
        lines.append("          livenessProbe:")
        if rnd.random() < 0.5:
            lines.append("            tcpSocket:")
            lines.append(f"              port: {port}")
        else:
            lines.append("            httpGet:")
            lines.append("              path: /healthz")
            lines.append(f"              port: {port}")
        lines.append("            initialDelaySeconds: 10")
    if rnd.random() < 0.85:
        lines.append("          resources:")
        lines.append("            requests:")
        lines.append(f"              cpu: {rnd.choice([10, 50, 100, 250])}m")
        lines.append(f"              memory: {rnd.choice([32, 64, 128, 256])}Mi")
        if rnd.random() < 0.7:
            lines.append("            limits:")
            lines.append(f"              cpu: {rnd.choice([250, 500, 1000])}m")
            lines.append(f"              memory: {rnd.choice([128, 256, 512])}Mi")
    lines.append("          securityContext:")
    lines.append(f"            readOnlyRootFilesystem: {rnd.choice(['true', 'true', 'false'])}")
    lines.append("            allowPrivilegeEscalation: false")
    lines.append("            capabilities:")
    lines.append("              drop: [ALL]")
    if host_network and rnd.random() < 0.2:
        lines.append("              add: [NET_BIND_SERVICE]")
    lines.append("          volumeMounts:")
    lines.append("            - name: config")
    lines.append("              mountPath: /etc/agent")
    lines.append("              readOnly: true")
    if host_network:
        lines.append("            - name: proc")
        lines.append("              mountPath: /host/proc")
        lines.append(f"              readOnly: {rnd.choice(['true', 'true', 'false'])}")


def workload(rnd, kind, i, ns):
    name = f"{kind.lower()}-{i}"
    app = f"app-{i % 997}"
    host_network = kind == "DaemonSet" and rnd.random() < 0.6 or kind == "Deployment" and rnd.random() < 0.05
    port = 9000 + rnd.randrange(2000)  # a spread of ports, so HN034 conflicts are rare but present
    lines = ["apiVersion: apps/v1", f"kind: {kind}", "metadata:", f"  name: {name}", f"  namespace: {ns}", "  labels:"]
    labels(lines, 4, app, kind.lower(), rnd)
    lines.append("  annotations:")
    annotations(lines, 4, rnd, rnd.randint(1, 4))
    lines.append("spec:")
    if kind != "DaemonSet":
        lines.append(f"  replicas: {rnd.randint(1, 5)}")
    if kind == "StatefulSet":
        lines.append(f"  serviceName: {name}")
    lines.append("  selector:")
    lines.append("    matchLabels:")
    lines.append(f"      app.kubernetes.io/name: {app}")
    if kind == "DaemonSet":
        lines += ["  updateStrategy:", "    type: RollingUpdate", "    rollingUpdate:",
                  f"      maxSurge: {rnd.choice([0, 0, 1])}", "      maxUnavailable: 1"]
    elif kind == "Deployment" and rnd.random() < 0.5:
        lines += ["  strategy:", "    type: RollingUpdate", "    rollingUpdate:",
                  f"      maxSurge: {rnd.choice(['25%', '0', '1'])}", "      maxUnavailable: 0"]
    lines += ["  template:", "    metadata:", "      labels:", f"        app.kubernetes.io/name: {app}",
              "      annotations:"]
    annotations(lines, 8, rnd, rnd.randint(1, 3))
    lines.append("    spec:")
    if host_network:
        lines.append("      hostNetwork: true")
        lines.append(f"      dnsPolicy: {rnd.choice(['ClusterFirstWithHostNet', 'ClusterFirstWithHostNet', 'ClusterFirst'])}")
        if rnd.random() < 0.5:
            lines.append("      hostPID: true")
    lines.append(f"      serviceAccountName: {name}")
    if rnd.random() < 0.3:
        lines += ["      nodeSelector:", f"        node-role.kubernetes.io/{rnd.choice(['worker', 'infra', 'edge'])}: \"\""]
    lines += ["      securityContext:", "        runAsNonRoot: true", f"        runAsUser: {rnd.choice([65534, 1000, 10001])}"]
    lines.append("      containers:")
    container(lines, rnd, "main", host_network, port)
    if rnd.random() < 0.3:
        container(lines, rnd, "sidecar", host_network, port + 100)
    lines += ["      volumes:", "        - name: config", "          configMap:", f"            name: {name}-config"]
    if host_network:
        lines += ["        - name: proc", "          hostPath:", "            path: /proc"]
    return lines


def service(rnd, i, ns):
    lines = ["apiVersion: v1", "kind: Service", "metadata:", f"  name: svc-{i}", f"  namespace: {ns}", "  labels:"]
    labels(lines, 4, f"app-{i % 997}", "service", rnd)
    lines.append("  annotations:")
    annotations(lines, 4, rnd, rnd.randint(2, 6))
    lines += ["spec:", f"  type: {rnd.choice(['ClusterIP', 'ClusterIP', 'NodePort'])}", "  selector:",
              f"    app.kubernetes.io/name: app-{i % 997}", "  ports:"]
    for p in range(rnd.randint(2, 8)):
        lines += [f"    - name: port-{p}", f"      port: {8000 + p}", f"      targetPort: {9000 + p}", "      protocol: TCP"]
    return lines


def configmap(rnd, i, ns):
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", f"  name: cm-{i}", f"  namespace: {ns}", "data:"]
    lines.append("  agent.yaml: |")
    for k in range(rnd.randint(30, 80)):
        lines.append(f"    key_{k}: value {rnd.getrandbits(48):012x}  # tuned for node pool {k % 7}")
    lines.append("  motd: >-")
    lines.append("    a folded scalar")
    lines.append("    spanning lines")
    lines.append(f"  replicas: \"{rnd.randint(1, 9)}\"")
    lines.append("  flow: '{\"a\": [1, 2, 3]}'")
    return lines


def namespace(rnd, i):
    level = rnd.choice(["privileged", "baseline", "restricted"])
    return ["apiVersion: v1", "kind: Namespace", "metadata:", f"  name: ns-{i}", "  labels:",
            f"    pod-security.kubernetes.io/enforce: {level}",
            "    pod-security.kubernetes.io/enforce-version: latest",
            f"    pod-security.kubernetes.io/warn: {level}", "  annotations:",
            f"    example.com/cost-center: \"{rnd.randrange(10000)}\""]


def generate(n, seed=20261127):
    rnd = random.Random(seed)
    kinds = [k for k, w in KINDS for _ in range(w)]
    docs = []
    namespaces = 0
    for i in range(n):
        kind = rnd.choice(kinds)
        ns = f"ns-{rnd.randrange(max(1, n // 20))}"
        if kind == "Namespace":
            lines = namespace(rnd, namespaces)
            namespaces += 1
        elif kind == "Service":
            lines = service(rnd, i, ns)
        elif kind == "ConfigMap":
            lines = configmap(rnd, i, ns)
        else:
            lines = workload(rnd, kind, i, ns)
        docs.append("\n".join(lines) + "\n")
    return docs


def run_once(cmd, stdin_path=None):
    """Runs cmd once; returns (wall s, user+sys s, peak RSS KiB)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        start = time.monotonic()
        p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # A generous bound: the point is never to hang, not to judge the time.
        deadline = start + 300
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                p.wait()
                sys.exit(f"timeout: {' '.join(cmd)}")
            time.sleep(0.002)
        wall = time.monotonic() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode(errors="replace")
        p.stderr.close()
    finally:
        if stdin_path:
            stdin.close()
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}: {err.strip()}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodex", default="build/nodex")
    ap.add_argument("--objects", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="write the generated manifests here and keep them")
    args = ap.parse_args()
    if not os.access(args.nodex, os.X_OK):
        sys.exit(f"no nodex binary at {args.nodex} (build it first)")

    tmp = args.keep or tempfile.mkdtemp(prefix="nodex-lint-bench.")
    try:
        os.makedirs(os.path.join(tmp, "dir"), exist_ok=True)
        docs = generate(args.objects)
        stream = os.path.join(tmp, "all.yaml")
        with open(stream, "w") as f:
            f.write("---\n".join(docs))
        per_file = max(1, len(docs) // 100)
        for k in range(0, len(docs), per_file):
            with open(os.path.join(tmp, "dir", f"part-{k // per_file:03d}.yaml"), "w") as f:
                f.write("---\n".join(docs[k:k + per_file]))
        size = os.path.getsize(stream)
        with open(stream) as f:
            nlines = sum(1 for _ in f)
        kinds = {}
        for d in docs:
            kind = d.split("\n", 2)[1].split(": ")[1]
            kinds[kind] = kinds.get(kind, 0) + 1
        print(f"nodex lint benchmark: {len(docs)} objects, {nlines} lines, {size / 1e6:.1f} MB "
              f"({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))})")
        print(f"binary: {args.nodex}; {args.runs} runs each; load average {os.getloadavg()[0]:.2f} "
              f"on {os.cpu_count()} CPUs")
        ways = [
            ("file, text", [args.nodex, "lint", stream], None),
            ("stdin, text", [args.nodex, "lint", "-"], stream),
            ("directory (100 files), text", [args.nodex, "lint", os.path.join(tmp, "dir")], None),
            ("file, -o json", [args.nodex, "lint", "-o", "json", stream], None),
        ]
        print(f"| {'input':<28} | {'wall median':>11} | {'wall min':>8} | {'user+sys median':>15} | {'peak RSS':>9} |")
        print(f"|{'-' * 30}|{'-' * 12}:|{'-' * 9}:|{'-' * 16}:|{'-' * 10}:|")
        for label, cmd, stdin_path in ways:
            runs = [run_once(cmd, stdin_path) for _ in range(args.runs)]
            walls = [r[0] for r in runs]
            cpus = [r[1] for r in runs]
            rss = max(r[2] for r in runs)
            print(f"| {label:<28} | {statistics.median(walls) * 1000:>8.0f} ms | {min(walls) * 1000:>5.0f} ms | "
                  f"{statistics.median(cpus) * 1000:>12.0f} ms | {rss / 1024:>5.0f} MiB |")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
