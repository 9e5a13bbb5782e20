// deploy/: install.yaml is generated from the kustomization and current, and what it installs
// is what DESIGN.md §1, §6 and §8 and issue 9 ask for (names, ports, replicas, probes, pod
// security, Services, disruption budgets, network policies, webhook configurations). The
// overlays build with kubectl kustomize and keep everything install.yaml has.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "manifests.h"
#include "process.h"

namespace korder::testing {
namespace {

struct Component {
  std::string component;  // app.kubernetes.io/component
  bool leader_elected;
  bool self_managed_certs;  // mounts the writable certificate directory
  std::string name() const { return "korder-" + component; }
};

const std::vector<Component>& components() {
  static const std::vector<Component> all = {
      {"order-controller", true, false},
      {"ticket-controller", true, false},
      {"quota-controller", true, true},
      {"admission-webhook", false, true},
  };
  return all;
}

const Manifests& install() {
  static const Manifests manifests(read_source("deploy/install.yaml"));
  return manifests;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The container's env var `name`, or nullptr.
const api::JsonValue* env_var(const api::JsonValue& container, const std::string& name) {
  const api::JsonValue* env = at(container, "env");
  if (env == nullptr || !env->IsArray()) {
    return nullptr;
  }
  for (const auto& var : env->GetArray()) {
    if (str(var, "name") == name) {
      return &var;
    }
  }
  return nullptr;
}

// The containerPort named `name`, or -1.
long long container_port(const api::JsonValue& container, const std::string& name) {
  const api::JsonValue* ports = at(container, "ports");
  if (ports != nullptr && ports->IsArray()) {
    for (const auto& port : ports->GetArray()) {
      if (str(port, "name") == name) {
        return integer(port, "containerPort");
      }
    }
  }
  return -1;
}

TEST_CASE("deploy/install.yaml is what scripts/gen-install.sh generates from deploy/", "[unit]") {
  TempDir home;
  const auto result = run_command({"bash", source_dir() + "/scripts/gen-install.sh", "--stdout"},
                                  {{"HOME", home.path()}, {"KUBECACHEDIR", home.path() + "/c"}},
                                  std::chrono::seconds(30));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  if (result.out != read_source("deploy/install.yaml")) {
    FAIL("deploy/install.yaml is stale: run scripts/gen-install.sh and commit the result");
  }
}

TEST_CASE("install.yaml needs nothing but built-in kinds and the korder CRDs", "[unit]") {
  const std::set<std::string> builtin = {
      "v1",
      "apps/v1",
      "rbac.authorization.k8s.io/v1",
      "policy/v1",
      "networking.k8s.io/v1",
      "admissionregistration.k8s.io/v1",
      "apiextensions.k8s.io/v1",
  };
  for (const auto& object : install().objects()) {
    INFO(str(*object, "kind") << " " << str(*object, "metadata.name"));
    CHECK(builtin.count(str(*object, "apiVersion")) == 1);
  }
  CHECK(install().find("Namespace", "korder-system") != nullptr);
  for (const char* crd :
       {"orders.core.korder.dev", "tickets.core.korder.dev", "quotas.core.korder.dev"}) {
    CHECK(install().find("CustomResourceDefinition", crd) != nullptr);
  }
  for (const auto& c : components()) {
    INFO(c.name());
    CHECK(install().find("ServiceAccount", c.name()) != nullptr);
  }
}

TEST_CASE(
    "every korder Deployment runs two replicas with probes, resources and restricted pod "
    "security",
    "[unit]") {
  for (const auto& c : components()) {
    INFO(c.name());
    const auto& deployment = install().get("Deployment", c.name());
    CHECK(str(deployment, "metadata.namespace") == "korder-system");
    CHECK(integer(deployment, "spec.replicas") == 2);
    const auto& pod = *at(deployment, "spec.template");
    const api::JsonValue* labels = at(pod, "metadata.labels");
    REQUIRE(labels != nullptr);
    CHECK(std::string((*labels)["app.kubernetes.io/component"].GetString()) == c.component);
    const auto& spec = *at(pod, "spec");
    CHECK(str(spec, "serviceAccountName") == c.name());
    CHECK(integer(spec, "terminationGracePeriodSeconds") > 0);
    // Restricted pod security, pod level.
    CHECK(at(spec, "securityContext.runAsNonRoot")->GetBool());
    CHECK(integer(spec, "securityContext.runAsUser") == 65532);
    CHECK(str(spec, "securityContext.seccompProfile.type") == "RuntimeDefault");
    // Replicas spread over nodes.
    const auto& term =
        *at(spec, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.0");
    CHECK(str(term, "podAffinityTerm.topologyKey") == "kubernetes.io/hostname");
    const auto& anti_labels = *at(term, "podAffinityTerm.labelSelector.matchLabels");
    CHECK(std::string(anti_labels["app.kubernetes.io/component"].GetString()) == c.component);

    REQUIRE(at(spec, "containers")->Size() == 1);
    const auto& container = *at(spec, "containers.0");
    CHECK(str(container, "image") == "korder/" + c.name() + ":dev");
    CHECK_FALSE(at(container, "securityContext.allowPrivilegeEscalation")->GetBool());
    CHECK(at(container, "securityContext.readOnlyRootFilesystem")->GetBool());
    CHECK(strings(container, "securityContext.capabilities.drop") ==
          std::vector<std::string>{"ALL"});
    // Probes on the health port, metrics on 8080 (DESIGN.md §8).
    CHECK(container_port(container, "health") == 8081);
    CHECK(container_port(container, "metrics") == 8080);
    CHECK(str(container, "livenessProbe.httpGet.path") == "/healthz");
    CHECK(str(container, "livenessProbe.httpGet.port") == "health");
    CHECK(str(container, "readinessProbe.httpGet.path") == "/readyz");
    CHECK(str(container, "readinessProbe.httpGet.port") == "health");
    for (const char* kind : {"requests", "limits"}) {
      for (const char* resource : {"cpu", "memory"}) {
        INFO(kind << "." << resource);
        CHECK_FALSE(str(container, std::string("resources.") + kind + "." + resource).empty());
      }
    }
    const auto args = strings(container, "args");
    CHECK(contains(args, "--metrics-bind-address=:8080"));
    CHECK(contains(args, "--health-probe-bind-address=:8081"));
    CHECK(contains(args, c.leader_elected ? "--leader-elect=true" : "--leader-elect=false"));
    // Leader identity and namespace from the downward API (kclient's LeaderElector and
    // in-cluster config read these).
    for (const auto& [var, field] : std::vector<std::pair<std::string, std::string>>{
             {"POD_NAME", "metadata.name"},
             {"POD_UID", "metadata.uid"},
             {"POD_NAMESPACE", "metadata.namespace"}}) {
      INFO(var);
      const api::JsonValue* v = env_var(container, var);
      REQUIRE(v != nullptr);
      CHECK(str(*v, "valueFrom.fieldRef.fieldPath") == field);
    }
    // The self-managed certificates need a writable directory (the root is read-only).
    bool mounted = false;
    const api::JsonValue* mounts = at(container, "volumeMounts");
    if (mounts != nullptr) {
      for (const auto& mount : mounts->GetArray()) {
        if (str(mount, "mountPath") == "/var/run/korder") {
          mounted = true;
          const api::JsonValue* volumes = at(spec, "volumes");
          REQUIRE(volumes != nullptr);
          bool empty_dir = false;
          for (const auto& volume : volumes->GetArray()) {
            empty_dir = empty_dir || (str(volume, "name") == str(mount, "name") &&
                                      at(volume, "emptyDir") != nullptr);
          }
          CHECK(empty_dir);
        }
      }
    }
    CHECK(mounted == c.self_managed_certs);
    CHECK(contains(args, "--cert-dir=/var/run/korder/certs") == c.self_managed_certs);
  }
}

TEST_CASE("the Services: webhook 443 to 9443, headless quota gRPC 9443, metrics per component",
          "[unit]") {
  const auto& webhook = install().get("Service", "korder-webhook");
  CHECK(str(webhook, "metadata.namespace") == "korder-system");
  CHECK(integer(webhook, "spec.ports.0.port") == 443);
  CHECK(str(webhook, "spec.ports.0.targetPort") == "https");
  CHECK(container_port(*at(install().get("Deployment", "korder-admission-webhook"),
                           "spec.template.spec.containers.0"),
                       "https") == 9443);
  CHECK(std::string(
            at(webhook, "spec.selector")->operator[]("app.kubernetes.io/component").GetString()) ==
        "admission-webhook");

  const auto& quota = install().get("Service", "korder-quota");
  CHECK(str(quota, "spec.clusterIP") == "None");
  CHECK(integer(quota, "spec.ports.0.port") == 9443);
  CHECK(str(quota, "spec.ports.0.targetPort") == "grpc");
  CHECK(container_port(*at(install().get("Deployment", "korder-quota-controller"),
                           "spec.template.spec.containers.0"),
                       "grpc") == 9443);

  for (const auto& c : components()) {
    INFO(c.name());
    const auto& metrics = install().get("Service", c.name() + "-metrics");
    CHECK(str(metrics, "spec.ports.0.name") == "metrics");
    CHECK(integer(metrics, "spec.ports.0.port") == 8080);
    CHECK(
        std::string(
            at(metrics, "spec.selector")->operator[]("app.kubernetes.io/component").GetString()) ==
        c.component);
  }
}

TEST_CASE("every component has a PodDisruptionBudget that keeps one replica up", "[unit]") {
  for (const auto& c : components()) {
    INFO(c.name());
    const auto& pdb = install().get("PodDisruptionBudget", c.name());
    const bool budget =
        integer(pdb, "spec.maxUnavailable") == 1 || integer(pdb, "spec.minAvailable") == 1;
    CHECK(budget);
    CHECK(std::string(at(pdb, "spec.selector.matchLabels")
                          ->
                          operator[]("app.kubernetes.io/component")
                          .GetString()) == c.component);
  }
}

TEST_CASE(
    "the NetworkPolicies open the webhook port to all, quota gRPC to its clients and "
    "metrics to monitoring",
    "[unit]") {
  // Default deny for every korder pod.
  const auto& deny = install().get("NetworkPolicy", "korder-default-deny-ingress");
  CHECK(strings(deny, "spec.policyTypes") == std::vector<std::string>{"Ingress"});
  CHECK(at(deny, "spec.ingress") == nullptr);

  // The API server cannot be selected portably: the webhook port has no `from`.
  const auto& webhook = install().get("NetworkPolicy", "korder-webhook");
  REQUIRE(at(webhook, "spec.ingress")->Size() == 1);
  CHECK(at(webhook, "spec.ingress.0.from") == nullptr);
  CHECK(integer(webhook, "spec.ingress.0.ports.0.port") == 9443);

  const auto& quota = install().get("NetworkPolicy", "korder-quota-grpc");
  REQUIRE(at(quota, "spec.ingress")->Size() == 1);
  CHECK(integer(quota, "spec.ingress.0.ports.0.port") == 9443);
  const auto& from = *at(quota, "spec.ingress.0.from");
  REQUIRE(from.Size() == 3);
  // 1. the webhook pods (same namespace)
  CHECK(at(from[0], "namespaceSelector") == nullptr);
  CHECK(std::string(at(from[0], "podSelector.matchLabels")
                        ->
                        operator[]("app.kubernetes.io/component")
                        .GetString()) == "admission-webhook");
  // 2. pods labelled korder.dev/quota-client: "true" in any namespace
  CHECK(at(from[1], "namespaceSelector")->ObjectEmpty());
  CHECK(std::string(at(from[1], "podSelector.matchLabels")
                        ->
                        operator[]("korder.dev/quota-client")
                        .GetString()) == "true");
  // 3. monitoring
  CHECK(std::string(at(from[2], "namespaceSelector.matchLabels")
                        ->
                        operator[]("kubernetes.io/metadata.name")
                        .GetString()) == "monitoring");

  const auto& metrics = install().get("NetworkPolicy", "korder-metrics");
  CHECK(integer(metrics, "spec.ingress.0.ports.0.port") == 8080);
  CHECK(std::string(at(metrics, "spec.ingress.0.from.0.namespaceSelector.matchLabels")
                        ->
                        operator[]("kubernetes.io/metadata.name")
                        .GetString()) == "monitoring");
}

TEST_CASE(
    "every korder webhook is NoneOnDryRun, has no caBundle, and the object webhooks skip "
    "DELETE and objects being deleted",
    "[unit]") {
  int object_webhooks = 0;
  for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
    const auto& configuration = install().get(kind, "korder-admission-webhook");
    for (const auto& webhook : at(configuration, "webhooks")->GetArray()) {
      const std::string name = str(webhook, "name");
      INFO(name);
      CHECK(str(webhook, "sideEffects") == "NoneOnDryRun");
      // Left out so a second apply is a no-op; the webhook (or cert-manager) fills it in.
      CHECK(at(webhook, "clientConfig.caBundle") == nullptr);
      CHECK(str(webhook, "clientConfig.service.namespace") == "korder-system");
      CHECK(str(webhook, "clientConfig.service.name") == "korder-webhook");
      CHECK(integer(webhook, "clientConfig.service.port") == 443);
      const std::string resource = strings(webhook, "rules.0.resources").at(0);
      if (resource == "pods") {
        continue;
      }
      ++object_webhooks;
      for (const auto& rule : at(webhook, "rules")->GetArray()) {
        const auto operations = strings(rule, "operations");
        CHECK_FALSE(contains(operations, "DELETE"));
        CHECK_FALSE(contains(operations, "*"));
      }
      bool not_deleting = false;
      for (const auto& condition : at(webhook, "matchConditions")->GetArray()) {
        not_deleting = not_deleting ||
                       str(condition, "expression") == "!has(object.metadata.deletionTimestamp)";
      }
      CHECK(not_deleting);
    }
  }
  CHECK(object_webhooks == 3);  // orders, tickets, quotas
}

TEST_CASE("the cert-manager overlay builds and adds certificates to everything install.yaml has",
          "[unit]") {
  const Manifests overlay(kustomize("deploy/overlays/cert-manager"));
  // Everything of the default install is there too.
  const auto base_keys = install().keys();
  const auto overlay_keys = overlay.keys();
  std::vector<std::string> missing;
  std::set_difference(base_keys.begin(), base_keys.end(), overlay_keys.begin(), overlay_keys.end(),
                      std::back_inserter(missing));
  CHECK(missing == std::vector<std::string>{});

  for (const char* certificate :
       {"korder-webhook-tls", "korder-quota-tls", "korder-webhook-quota-client"}) {
    INFO(certificate);
    const auto& cert = overlay.get("Certificate", certificate);
    CHECK(str(cert, "spec.secretName") == certificate);
    CHECK(str(cert, "spec.issuerRef.name") == "korder-ca");
  }
  CHECK(strings(overlay.get("Certificate", "korder-webhook-tls"), "spec.dnsNames").at(0) ==
        "korder-webhook.korder-system.svc");
  CHECK(strings(overlay.get("Certificate", "korder-quota-tls"), "spec.dnsNames").at(0) ==
        "korder-quota.korder-system.svc");
  CHECK(contains(strings(overlay.get("Certificate", "korder-webhook-quota-client"), "spec.usages"),
                 "client auth"));
  CHECK(at(overlay.get("Issuer", "korder-ca"), "spec.ca") != nullptr);
  CHECK(at(overlay.get("Issuer", "korder-selfsigned"), "spec.selfSigned") != nullptr);

  for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
    INFO(kind);
    const auto& annotations =
        *at(overlay.get(kind, "korder-admission-webhook"), "metadata.annotations");
    CHECK(std::string(annotations["cert-manager.io/inject-ca-from"].GetString()) ==
          "korder-system/korder-webhook-tls");
  }

  // The daemons read the Secrets' files.
  const auto& webhook =
      *at(overlay.get("Deployment", "korder-admission-webhook"), "spec.template.spec.containers.0");
  const auto webhook_args = strings(webhook, "args");
  for (const char* arg :
       {"--tls-cert-file=/etc/korder/tls/tls.crt", "--tls-key-file=/etc/korder/tls/tls.key",
        "--quota-server-name=korder-quota.korder-system.svc",
        "--quota-ca-file=/etc/korder/quota-client/ca.crt",
        "--quota-client-cert-file=/etc/korder/quota-client/tls.crt",
        "--quota-client-key-file=/etc/korder/quota-client/tls.key"}) {
    INFO(arg);
    CHECK(contains(webhook_args, arg));
  }
  const auto& quota =
      *at(overlay.get("Deployment", "korder-quota-controller"), "spec.template.spec.containers.0");
  const auto quota_args = strings(quota, "args");
  for (const char* arg :
       {"--tls-cert-file=/etc/korder/tls/tls.crt", "--tls-key-file=/etc/korder/tls/tls.key",
        "--client-ca-file=/etc/korder/tls/ca.crt"}) {
    INFO(arg);
    CHECK(contains(quota_args, arg));
  }
  // Every mounted Secret is one the overlay's Certificates write.
  for (const char* deployment : {"korder-admission-webhook", "korder-quota-controller"}) {
    for (const auto& volume :
         at(overlay.get("Deployment", deployment), "spec.template.spec.volumes")->GetArray()) {
      const std::string secret = str(volume, "secret.secretName");
      if (!secret.empty()) {
        INFO(deployment << " mounts " << secret);
        CHECK(overlay.find("Certificate", secret) != nullptr);
      }
    }
  }
}

TEST_CASE(
    "the tls-files overlay is install.yaml with the daemons reading certificates from "
    "Secrets, and needs no cert-manager",
    "[unit]") {
  const Manifests overlay(kustomize("deploy/overlays/tls-files"));
  CHECK(overlay.keys() == install().keys());
  for (const auto& object : overlay.objects()) {
    INFO(str(*object, "kind") << " " << str(*object, "metadata.name"));
    CHECK(str(*object, "apiVersion").find("cert-manager.io") == std::string::npos);
  }
  const auto webhook_args = strings(
      *at(overlay.get("Deployment", "korder-admission-webhook"), "spec.template.spec.containers.0"),
      "args");
  CHECK(contains(webhook_args, "--tls-cert-file=/etc/korder/tls/tls.crt"));
  const auto quota_args = strings(
      *at(overlay.get("Deployment", "korder-quota-controller"), "spec.template.spec.containers.0"),
      "args");
  CHECK(contains(quota_args, "--client-ca-file=/etc/korder/tls/ca.crt"));
}

TEST_CASE("the servicemonitor overlay builds one ServiceMonitor per component's metrics Service",
          "[unit]") {
  const Manifests overlay(kustomize("deploy/overlays/servicemonitor"));
  CHECK(overlay.objects().size() == components().size());
  for (const auto& c : components()) {
    INFO(c.name());
    const auto& monitor = overlay.get("ServiceMonitor", c.name());
    CHECK(str(monitor, "apiVersion") == "monitoring.coreos.com/v1");
    CHECK(str(monitor, "metadata.namespace") == "korder-system");
    CHECK(str(monitor, "spec.endpoints.0.port") == "metrics");
    // It selects the component's metrics Service, which has that port.
    const auto& selector = *at(monitor, "spec.selector.matchLabels");
    const auto& service = install().get("Service", c.name() + "-metrics");
    for (auto it = selector.MemberBegin(); it != selector.MemberEnd(); ++it) {
      const auto& labels = *at(service, "metadata.labels");
      REQUIRE(labels.HasMember(it->name));
      CHECK(labels[it->name] == it->value);
    }
  }
}

}  // namespace
}  // namespace korder::testing
