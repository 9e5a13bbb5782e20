// The real kubectl (/usr/bin/kubectl, a dispatcher that picks kubectl 1.32 from our /version)
// against an in-process devcluster over HTTPS, with a fresh HOME and KUBECACHEDIR.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

const char* kKubectl = "/usr/bin/kubectl";

class Kubectl {
 public:
  explicit Kubectl(TestCluster& tc) : tc_(tc) {
    INFO("kubectl is required for these tests (part of the machine's base image)");
    REQUIRE(std::filesystem::exists(kKubectl));
    env_ = {
        {"HOME", tc.dir()}, {"KUBECACHEDIR", tc.dir() + "/cache"}, {"KUBECONFIG", tc.kubeconfig()}};
  }

  CommandResult run(std::vector<std::string> args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::vector<std::string> argv = {kKubectl, "--kubeconfig", tc_.kubeconfig()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, env_, timeout);
  }

  /// Runs and requires exit code 0; returns stdout.
  std::string ok(std::vector<std::string> args) {
    CommandResult r = run(args);
    std::string command;
    for (const auto& a : args) {
      command += a + " ";
    }
    INFO("kubectl " << command << "\nstdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  }

  /// Starts kubectl in the background, its output going to `file` in the test directory.
  BackgroundCommand background(std::vector<std::string> args, const std::string& file) {
    std::vector<std::string> argv = {kKubectl, "--kubeconfig", tc_.kubeconfig()};
    argv.insert(argv.end(), args.begin(), args.end());
    return BackgroundCommand(argv, env_, tc_.dir() + "/" + file);
  }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = tc_.dir() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

 private:
  TestCluster& tc_;
  std::map<std::string, std::string> env_;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string crd(const std::string& name) {
  return source_dir() + "/deploy/crds/core.korder.dev_" + name + ".yaml";
}

std::string order_yaml(int replicas) {
  std::string text = read_file(source_dir() + "/examples/order.yaml");
  const std::string from = "replicas: 3";
  text.replace(text.find(from), from.size(), "replicas: " + std::to_string(replicas));
  return text;
}

const char* kTicket = R"(apiVersion: core.korder.dev/v1alpha1
kind: Ticket
metadata:
  name: my-ticket
  namespace: default
spec:
  duration: 1h
  resources:
    requests:
      cpu: 100m
)";

void install_crds(Kubectl& k) {
  const std::string out =
      k.ok({"apply", "-f", crd("orders"), "-f", crd("tickets"), "-f", crd("quotas")});
  CHECK(contains(out,
                 "customresourcedefinition.apiextensions.k8s.io/orders.core.korder.dev created"));
  k.ok({"wait", "--for", "condition=established", "--timeout=10s", "crd/orders.core.korder.dev",
        "crd/tickets.core.korder.dev", "crd/quotas.core.korder.dev"});
}

}  // namespace

TEST_CASE(
    "kubectl applies the CRDs and an Order, changes and re-applies it client- and server-side",
    "[integration]") {
  TestCluster tc;
  Kubectl k(tc);
  install_crds(k);
  // The kustomization in deploy/crds is what `-k` reads; a second install changes nothing.
  CHECK(contains(k.ok({"apply", "-k", source_dir() + "/deploy/crds/"}),
                 "orders.core.korder.dev unchanged"));

  CHECK(contains(k.ok({"apply", "-f", source_dir() + "/examples/order.yaml"}),
                 "order.core.korder.dev/my-order created"));
  const std::string changed = k.write("order-5.yaml", order_yaml(5));
  CHECK(contains(k.ok({"apply", "-f", changed}), "order.core.korder.dev/my-order configured"));
  CHECK(contains(k.ok({"apply", "-f", changed}), "order.core.korder.dev/my-order unchanged"));
  CHECK(k.ok({"get", "order", "my-order", "-o",
              "jsonpath={.spec.replicas}/{.metadata.generation}"}) == "5/2");

  const std::string server_side = k.write("order-7.yaml", order_yaml(7));
  CHECK(contains(k.ok({"apply", "--server-side", "-f", server_side}),
                 "order.core.korder.dev/my-order serverside-applied"));
  CHECK(k.ok({"get", "order", "my-order", "-o",
              "jsonpath={.spec.replicas}/{.metadata.generation}"}) == "7/3");
  // Defaults from the CRD schema were applied on create.
  CHECK(k.ok({"get", "order", "my-order", "-o",
              "jsonpath={.spec.template.spec.lifecycle.cleanupPolicy}"}) == "Delete");

  SECTION("apply --server-side creates a missing object") {
    const std::string ticket = k.write("ticket.yaml", kTicket);
    CHECK(contains(k.ok({"apply", "--server-side", "-f", ticket}),
                   "ticket.core.korder.dev/my-ticket serverside-applied"));
  }
  SECTION("strict field validation rejects a field the CRD does not declare") {
    std::string text = order_yaml(2);
    text += "  notInTheSchema: true\n";
    const CommandResult r = k.run({"apply", "-f", k.write("bad.yaml", text)});
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, R"(strict decoding error: unknown field "spec.notInTheSchema")"));
  }
}

TEST_CASE("kubectl get shows printer columns, describe, explain and the 415 of strategic patches",
          "[integration]") {
  TestCluster tc;
  Kubectl k(tc);
  install_crds(k);
  k.ok({"apply", "-f", source_dir() + "/examples/order.yaml"});
  k.ok({"apply", "-f", k.write("ticket.yaml", kTicket)});
  k.ok({"patch", "ticket", "my-ticket", "--subresource", "status", "--type", "merge", "-p",
        R"({"status":{"phase":"Ready","nodeName":"dev-node-1","claimedPod":"default/app"}})"});

  const std::string wide = k.ok({"get", "orders,tickets", "-o", "wide"});
  INFO(wide);
  CHECK(contains(
      wide, "NAME                             STRATEGY   DESIRED   READY   CLAIMED   NEXT   AGE"));
  CHECK(contains(wide, "order.core.korder.dev/my-order   OneTime"));
  CHECK(contains(wide, "PHASE   NODE         CLAIMED-BY    EXPIRATION   AGE"));
  CHECK(contains(wide, "ticket.core.korder.dev/my-ticket   Ready   dev-node-1   default/app"));
  CHECK(!contains(k.ok({"get", "tickets"}), "CLAIMED-BY"));  // priority 1: -o wide only
  CHECK(contains(k.ok({"get", "orders", "-A", "--show-labels"}), "default     my-order"));

  const std::string described = k.ok({"describe", "order", "my-order"});
  CHECK(contains(described, "Name:         my-order"));
  CHECK(contains(described, "Kind:         Order"));
  CHECK(contains(described, "Replicas:  3"));
  CHECK(contains(described, "Events:"));

  const std::string explained = k.ok({"explain", "order.spec"});
  CHECK(contains(explained, "KIND:       Order"));
  CHECK(contains(explained, "strategy\t<Object>"));
  CHECK(contains(explained, "When tickets are created and which used-up tickets are replaced."));
  CHECK(contains(k.ok({"explain", "order.spec.strategy.type"}),
                 "ENUM:\n    OneTime\n    Scheduled\n    Recurring"));

  const CommandResult strategic =
      k.run({"patch", "order", "my-order", "-p", R"({"spec":{"paused":true}})"});
  CHECK(strategic.exit_code == 1);
  CHECK(contains(
      strategic.err,
      "application/strategic-merge-patch+json is not supported by core.korder.dev/v1alpha1, "
      "Kind=Order: the body of the request was in an unknown format - accepted media types "
      "include: application/json-patch+json, application/merge-patch+json, "
      "application/apply-patch+yaml"));
  const CommandResult missing = k.run({"get", "order", "nope"});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err,
                 R"(Error from server (NotFound): orders.core.korder.dev "nope" not found)"));
}

TEST_CASE("kubectl label, patch, watch and delete an Order", "[integration]") {
  TestCluster tc;
  Kubectl k(tc);
  install_crds(k);
  k.ok({"apply", "-f", source_dir() + "/examples/order.yaml"});

  CHECK(contains(k.ok({"label", "order", "my-order", "tier=gold"}),
                 "order.core.korder.dev/my-order labeled"));
  CHECK(contains(k.ok({"get", "orders", "--show-labels"}), "tier=gold"));
  CHECK(contains(
      k.ok({"patch", "order", "my-order", "--type", "merge", "-p", R"({"spec":{"paused":true}})"}),
      "order.core.korder.dev/my-order patched"));
  CHECK(k.ok({"get", "order", "my-order", "-o", "jsonpath={.spec.paused}"}) == "true");

  {
    BackgroundCommand watch = k.background({"get", "orders", "-w"}, "watch.txt");
    // kubectl prints the table once its list is done; every change after that is a new row.
    REQUIRE(
        eventually([&] { return contains(watch.output(), "my-order"); }, std::chrono::seconds(20)));
    for (int i = 1; i <= 3; ++i) {
      k.ok({"patch", "order", "my-order", "--subresource", "status", "--type", "merge", "-p",
            R"({"status":{"desired":)" + std::to_string(i) + "}}"});
    }
    CHECK(eventually([&] { return contains(watch.output(), "my-order   OneTime    3"); },
                     std::chrono::seconds(20)));
    const std::string out = watch.output();
    INFO(out);
    CHECK(contains(out, "NAME       STRATEGY   DESIRED   READY   CLAIMED   NEXT   AGE"));
    CHECK(contains(out, "my-order   OneTime    1"));
    CHECK(contains(out, "my-order   OneTime    2"));
  }

  k.ok({"patch", "order", "my-order", "--type", "merge", "-p",
        R"({"metadata":{"finalizers":["korder.dev/order-protection"]}})"});
  std::thread remover([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    k.ok({"patch", "order", "my-order", "--type", "json", "-p",
          R"([{"op":"remove","path":"/metadata/finalizers"}])"});
  });
  // kubectl delete waits (list + watch) until the finalizer is gone.
  CHECK(contains(k.ok({"delete", "order", "my-order"}),
                 R"(order.core.korder.dev "my-order" deleted)"));
  remover.join();
  const CommandResult gone = k.run({"get", "order", "my-order"});
  CHECK(gone.exit_code == 1);
  CHECK(contains(k.ok({"get", "orders"}) + k.run({"get", "orders"}).err,
                 "No resources found in default namespace."));
}

TEST_CASE("kubectl works with built-in kinds: nodes, namespaces, pods with strategic merge",
          "[integration]") {
  DevClusterOptions options;
  options.kubelet_delay = std::chrono::hours(1);  // the pod is scheduled but stays Pending
  TestCluster tc(options);
  Kubectl k(tc);
  const std::string nodes = k.ok({"get", "nodes", "-o", "wide"});
  CHECK(contains(nodes, "dev-node-1   Ready    <none>"));
  CHECK(contains(nodes, "INTERNAL-IP"));
  CHECK(contains(k.ok({"get", "ns"}), "korder-system"));
  CHECK(
      contains(k.ok({"get", "nodes", "-l", "node-type=compute", "-o", "name"}), "node/dev-node-1"));

  const char* pod = R"(apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: app
    image: busybox:1.36
  - name: sidecar
    image: nginx:1.25
)";
  const std::string file = k.write("pod.yaml", pod);
  CHECK(contains(k.ok({"apply", "-f", file}), "pod/web created"));
  std::string updated = pod;
  updated.replace(updated.find("nginx:1.25"), 10, "nginx:1.26");
  k.ok({"apply", "-f", k.write("pod2.yaml", updated)});  // a strategic merge patch
  CHECK(k.ok({"get", "pod", "web", "-o", "jsonpath={.spec.containers[*].image}"}) ==
        "busybox:1.36 nginx:1.26");
  k.ok({"patch", "pod", "web", "-p",
        R"({"spec":{"containers":[{"name":"app","image":"busybox:1.37"}]}})"});
  CHECK(k.ok({"get", "pod", "web", "-o",
              "jsonpath={.spec.containers[*].name}={.spec.containers[*].image}"}) ==
        "app sidecar=busybox:1.37 nginx:1.26");
  CHECK(contains(k.ok({"get", "pods"}), "web    0/2     Pending   0"));
  CHECK(contains(k.ok({"annotate", "pod", "web", "note=hello"}), "pod/web annotated"));
  CHECK(contains(k.ok({"describe", "pod", "web"}), "note: hello"));
  const CommandResult immutable =
      k.run({"patch", "pod", "web", "-p", R"({"spec":{"restartPolicy":"Never"}})"});
  CHECK(immutable.exit_code == 1);
  CHECK(contains(immutable.err, "pod updates may not change fields other than"));
  CHECK(contains(k.ok({"delete", "pod", "web"}), R"(pod "web" deleted)"));
}

TEST_CASE("kubectl applies the kinds of an install manifest (stored only)", "[integration]") {
  TestCluster tc;
  Kubectl k(tc);
  const char* manifest = R"(apiVersion: v1
kind: ServiceAccount
metadata: {name: korder-webhook, namespace: korder-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: korder-webhook}
rules:
- apiGroups: [core.korder.dev]
  resources: [tickets, tickets/status]
  verbs: [get, list, watch, update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: korder-webhook, namespace: korder-system}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: korder-webhook}
subjects: [{kind: ServiceAccount, name: korder-webhook, namespace: korder-system}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: korder-webhook, namespace: korder-system}
spec:
  replicas: 2
  selector: {matchLabels: {app: korder-webhook}}
  template:
    metadata: {labels: {app: korder-webhook}}
    spec:
      containers: [{name: webhook, image: korder/webhook:dev}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: korder-quota, namespace: korder-system}
spec:
  podSelector: {matchLabels: {app: korder-quota}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: korder-webhook, namespace: korder-system}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: korder-webhook}}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: korder-pods}
webhooks:
- name: pods.korder.dev
  admissionReviewVersions: [v1]
  sideEffects: NoneOnDryRun
  failurePolicy: Ignore
  clientConfig: {service: {name: korder-webhook, namespace: korder-system, path: /mutate-pods}}
  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
)";
  const std::string out = k.ok({"apply", "-f", k.write("install.yaml", manifest)});
  for (const char* created :
       {"serviceaccount/korder-webhook created",
        "clusterrole.rbac.authorization.k8s.io/korder-webhook created",
        "rolebinding.rbac.authorization.k8s.io/korder-webhook created",
        "deployment.apps/korder-webhook created",
        "networkpolicy.networking.k8s.io/korder-quota created",
        "poddisruptionbudget.policy/korder-webhook created",
        "mutatingwebhookconfiguration.admissionregistration.k8s.io/korder-pods created"}) {
    CHECK(contains(out, created));
  }
  CHECK(contains(k.ok({"apply", "-f", tc.dir() + "/install.yaml"}),
                 "deployment.apps/korder-webhook unchanged"));
  CHECK(contains(k.ok({"get", "deploy,pdb,netpol", "-n", "korder-system"}),
                 "deployment.apps/korder-webhook"));
}

TEST_CASE("kubectl create generators send protobuf bodies the devcluster reads", "[integration]") {
  TestCluster tc;
  Kubectl k(tc);
  CHECK(contains(k.ok({"create", "namespace", "team-a"}), "namespace/team-a created"));
  CHECK(contains(
      k.ok({"create", "configmap", "settings", "-n", "team-a", "--from-literal=mode=fast"}),
      "configmap/settings created"));
  CHECK(k.ok({"get", "configmap", "settings", "-n", "team-a", "-o", "jsonpath={.data.mode}"}) ==
        "fast");
  CHECK(contains(
      k.ok({"create", "secret", "generic", "token", "-n", "team-a", "--from-literal=key=s3cret"}),
      "secret/token created"));
  CHECK(k.ok({"get", "secret", "token", "-n", "team-a", "-o", "jsonpath={.data.key}"}) ==
        "czNjcmV0");
  CHECK(contains(k.ok({"create", "serviceaccount", "robot", "-n", "team-a"}),
                 "serviceaccount/robot created"));
  CHECK(contains(k.ok({"create", "service", "clusterip", "web", "-n", "team-a", "--tcp=80:8080"}),
                 "service/web created"));
  CHECK(k.ok({"get", "service", "web", "-n", "team-a", "-o",
              "jsonpath={.spec.ports[0].port}:{.spec.ports[0].targetPort}"}) == "80:8080");
  CHECK(contains(k.ok({"get", "cm,secret,sa,svc", "-n", "team-a"}), "configmap/settings"));
  CHECK(contains(k.ok({"delete", "namespace", "team-a"}), R"(namespace "team-a" deleted)"));
  CHECK(k.run({"get", "namespace", "team-a"}).exit_code == 1);
}

}  // namespace korder::devcluster::testing
