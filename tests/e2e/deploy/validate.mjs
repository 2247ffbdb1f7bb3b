// tests/e2e/deploy/validate.mjs: validation and checks for deploy/kubernetes, run by deploy_manifests.sh
// with NODE_PATH at an npm prefix holding kubernetes-models, @kubernetes-models/prometheus-operator and
// yaml.
//
//   node validate.mjs schema FILE...     every object validates against the Kubernetes OpenAPI schema
//                                        (kubernetes-models' generated validators); Kustomization objects
//                                        are skipped: kustomize itself checks them by rendering
//   node validate.mjs daemonset FILE     the rendered base has the settings the deployment promises
//   node validate.mjs webconfig FILE     the overlay's web config uses node_exporter's web-config keys
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const modules = path.resolve(process.env.NODE_PATH ?? "node_modules");
const require = createRequire(path.join(modules, "x.js"));
const { parseAllDocuments } = await import(require.resolve("yaml"));

let failures = 0;
const fail = (msg) => {
  console.log(`FAIL: ${msg}`);
  failures++;
};
const ok = (msg) => console.log(`ok: ${msg}`);

function loadObjects(file) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  const objects = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      fail(`${file}: YAML error: ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj !== null && obj !== undefined) objects.push(obj);
  }
  return objects;
}

// apiVersion + kind -> the file of its model (the packages are ES modules whose export maps
// require.resolve does not follow).
function modelFile(apiVersion, kind) {
  const pkg = apiVersion.startsWith("monitoring.coreos.com/") ? "@kubernetes-models/prometheus-operator" : "kubernetes-models";
  return path.join(modules, pkg, apiVersion, `${kind}.js`);
}

async function schema(files) {
  for (const file of files) {
    for (const obj of loadObjects(file)) {
      const id = `${file}: ${obj.kind}/${obj.metadata?.name}`;
      if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
        fail(`${file}: a document without apiVersion and kind`);
        continue;
      }
      if (obj.apiVersion.startsWith("kustomize.config.k8s.io/")) continue;
      const model = modelFile(obj.apiVersion, obj.kind);
      if (!existsSync(model)) {
        fail(`${id}: no schema for ${obj.apiVersion} ${obj.kind} (${model})`);
        continue;
      }
      const mod = await import(pathToFileURL(model));
      // kustomize wraps a generated Secret's base64 across lines; the API server's decoder skips line
      // breaks, the schema's "byte" format does not.
      if (obj.kind === "Secret" && obj.data) {
        for (const k of Object.keys(obj.data)) obj.data[k] = String(obj.data[k]).replace(/\s+/g, "");
      }
      try {
        new mod[obj.kind](obj).validate();
        ok(`${id} validates (${obj.apiVersion})`);
      } catch (e) {
        fail(`${id}: ${e.message}`);
      }
    }
  }
}

// JSON with object keys sorted, so that equal values compare equal whatever the key order.
function canonical(v) {
  return JSON.stringify(v, (k, x) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x);
}

function expectEq(what, got, want) {
  const g = canonical(got);
  const w = canonical(want);
  if (g === w) ok(`${what} = ${w}`);
  else fail(`${what} is ${g}, want ${w}`);
}

function daemonset(file) {
  const objects = loadObjects(file);
  const ns = objects.find((o) => o.kind === "Namespace");
  const ds = objects.find((o) => o.kind === "DaemonSet");
  const svc = objects.find((o) => o.kind === "Service");
  if (!ns || !ds || !svc) {
    fail(`${file}: want a Namespace, a DaemonSet and a Service, got ${objects.map((o) => o.kind)}`);
    return;
  }
  expectEq("namespace PSA enforce label", ns.metadata.labels?.["pod-security.kubernetes.io/enforce"], "privileged");
  const spec = ds.spec.template.spec;
  expectEq("hostNetwork", spec.hostNetwork, true);
  expectEq("hostPID", spec.hostPID, true);
  expectEq("dnsPolicy", spec.dnsPolicy, "ClusterFirstWithHostNet");
  expectEq("priorityClassName", spec.priorityClassName, "system-node-critical");
  expectEq("nodeSelector", spec.nodeSelector, { "kubernetes.io/os": "linux" });
  expectEq("tolerations", spec.tolerations, [{ operator: "Exists" }]);
  expectEq("updateStrategy", ds.spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
  const c = spec.containers[0];
  for (const arg of ["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root", "--web.listen-address=0.0.0.0:20000"]) {
    if (c.args.includes(arg)) ok(`arg ${arg}`);
    else fail(`container args ${JSON.stringify(c.args)} lack ${arg}`);
  }
  expectEq("ports", c.ports, [{ name: "metrics", containerPort: 20000, protocol: "TCP" }]);
  expectEq("liveness probe", c.livenessProbe.httpGet, { path: "/-/healthy", port: "metrics" });
  expectEq("readiness probe", c.readinessProbe.httpGet, { path: "/-/ready", port: "metrics" });
  expectEq("resources", c.resources, { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } });
  const sc = { ...spec.securityContext, ...c.securityContext };
  expectEq("runAsNonRoot", sc.runAsNonRoot, true);
  expectEq("runAsUser", sc.runAsUser, 65534);
  expectEq("runAsGroup", sc.runAsGroup, 65534);
  expectEq("readOnlyRootFilesystem", sc.readOnlyRootFilesystem, true);
  expectEq("allowPrivilegeEscalation", sc.allowPrivilegeEscalation, false);
  expectEq("capabilities", sc.capabilities, { drop: ["ALL"] });
  const volumes = Object.fromEntries(spec.volumes.map((v) => [v.name, v.hostPath?.path]));
  const mounts = Object.fromEntries(c.volumeMounts.map((m) => [m.mountPath, m]));
  for (const [hostPath, mountPath] of [["/proc", "/host/proc"], ["/sys", "/host/sys"], ["/", "/host/root"]]) {
    const m = mounts[mountPath];
    if (!m) {
      fail(`nothing mounted at ${mountPath}`);
      continue;
    }
    expectEq(`${mountPath} from hostPath`, volumes[m.name], hostPath);
    expectEq(`${mountPath} readOnly`, m.readOnly, true);
  }
  expectEq("/host/root mountPropagation", mounts["/host/root"]?.mountPropagation, "HostToContainer");
  expectEq("service clusterIP (headless)", svc.spec.clusterIP, "None");
  expectEq("service selects the pods", svc.spec.selector, ds.spec.template.metadata.labels);
}

function webconfig(file) {
  const [cfg] = loadObjects(file);
  const known = new Set(["tls_server_config", "http_server_config", "basic_auth_users"]);
  for (const key of Object.keys(cfg ?? {})) {
    if (!known.has(key)) fail(`${file}: ${key} is not a node_exporter web-config key`);
  }
  expectEq("tls_server_config files", [cfg?.tls_server_config?.cert_file, cfg?.tls_server_config?.key_file],
           ["/etc/nodex/tls/tls.crt", "/etc/nodex/tls/tls.key"]);
  if (typeof cfg?.basic_auth_users === "object" && Object.keys(cfg.basic_auth_users).length > 0) ok("basic_auth_users set");
  else fail(`${file}: no basic_auth_users`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "schema") await schema(args);
else if (mode === "daemonset") daemonset(args[0]);
else if (mode === "webconfig") webconfig(args[0]);
else {
  console.log(`usage: validate.mjs schema|daemonset|webconfig FILE...`);
  process.exit(2);
}
process.exit(failures > 0 ? 1 : 0);
