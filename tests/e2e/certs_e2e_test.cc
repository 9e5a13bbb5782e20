// Self-managed certificates end to end (DESIGN.md §6): the quota controller and the webhook run
// with NO certificate flags against the development cluster. The CA Secret korder-ca appears,
// the webhook patches its CA into the configurations' caBundle, the development cluster (which
// verifies korder-webhook.korder-system.svc against caBundle) calls the webhook, and the webhook
// reaches the quota service over mutual TLS with certificates issued from the same CA. The
// cluster enforces RBAC and both daemons run as their own ServiceAccounts with deploy/rbac's
// grants, so the rules the certificates need (Secret korder-ca, the configurations' caBundle) are
// proven sufficient: no request of theirs is forbidden.

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <string>

#include "daemon_replicas.h"
#include "korder/api/base64.h"
#include "korder/api/json.h"
#include "process.h"
#include "suite_fixture.h"
#include "test_cluster.h"

namespace korder::testing {
namespace {

using namespace std::chrono_literals;

// The caBundles of a configuration's webhooks, "" for a webhook without one.
std::vector<std::string> ca_bundles(TestCluster& cluster, const std::string& kind) {
  const auto got = cluster.kubectl({"get", kind, "korder-admission-webhook", "-o", "json"});
  std::vector<std::string> bundles;
  api::JsonDocument doc;
  if (got.exit_code != 0 || !api::parse_json(got.out, doc) || !doc.HasMember("webhooks")) {
    return bundles;
  }
  for (const auto& webhook : doc["webhooks"].GetArray()) {
    bundles.push_back(str(webhook["clientConfig"], "caBundle"));
  }
  return bundles;
}

std::string order(const std::string& name, const std::string& duration) {
  return "apiVersion: core.korder.dev/v1alpha1\nkind: Order\nmetadata:\n  name: " + name +
         "\n  namespace: default\nspec:\n  replicas: 1\n  strategy:\n    type: OneTime\n"
         "  template:\n    spec:\n      resources:\n        requests:\n          cpu: 100m\n"
         "      duration: " +
         duration + "\n";
}

TEST_CASE("with no certificate flags the CA is shared, caBundle patched, and mTLS to quota works",
          "[e2e]") {
  const int webhook_port = free_port();
  const int quota_port = free_port();
  TestCluster cluster(TestCluster::Authorization::Rbac,
                      {"--webhook-service-map",
                       "korder-system/korder-webhook=127.0.0.1:" + std::to_string(webhook_port)});
  cluster.install_crds();
  const auto rbac = cluster.kubectl({"apply", "-k", source_dir() + "/deploy/rbac"});
  INFO(rbac.out << rbac.err);
  REQUIRE(rbac.exit_code == 0);
  const std::string quota_kubeconfig =
      cluster.service_account_kubeconfig("korder-system", "korder-quota-controller");
  const std::string webhook_kubeconfig =
      cluster.service_account_kubeconfig("korder-system", "korder-admission-webhook");
  const std::string configurations = source_dir() + "/deploy/webhook/webhook-configurations.yaml";
  auto applied = cluster.kubectl({"apply", "-f", configurations});
  INFO(applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);

  DaemonReplicas daemons(cluster.dir());
  auto quota = controller_argv(KORDER_QUOTA_CONTROLLER_BINARY, quota_kubeconfig);
  quota.push_back("--grpc-bind-address=127.0.0.1:" + std::to_string(quota_port));
  quota.push_back("--cert-dir=" + cluster.dir() + "/quota-certs");
  quota.push_back("--cert-check-interval=1s");
  Process& quota_process = daemons.start("korder-quota-controller-0", quota);
  Process& webhook = daemons.start(
      "korder-admission-webhook-0",
      {KORDER_WEBHOOK_BINARY, "--kubeconfig=" + webhook_kubeconfig,
       "--bind-address=127.0.0.1:" + std::to_string(webhook_port),
       "--metrics-bind-address=127.0.0.1:0", "--health-probe-bind-address=127.0.0.1:0",
       "--cert-dir=" + cluster.dir() + "/webhook-certs", "--ca-check-interval=1s",
       "--quota-address=127.0.0.1:" + std::to_string(quota_port),
       "--quota-server-name=korder-quota.korder-system.svc", "-v=1"},
      "webhook serving");
  INFO("quota controller:\n" << quota_process.output() << "\nwebhook:\n" << webhook.output());

  // One CA, in the Secret, shared by both (each wrote it into its directory).
  const auto secret =
      cluster.kubectl({"get", "secret", "korder-ca", "-n", "korder-system", "-o", "json"});
  REQUIRE(secret.exit_code == 0);
  api::JsonDocument doc;
  REQUIRE(api::parse_json(secret.out, doc).has_value());
  CHECK(str(doc, "type") == "kubernetes.io/tls");
  const std::string ca_b64 = str(doc["data"], "ca.crt");
  REQUIRE_FALSE(ca_b64.empty());
  CHECK(read_file(cluster.dir() + "/quota-certs/ca.crt") == *api::base64_decode(ca_b64));
  CHECK(read_file(cluster.dir() + "/webhook-certs/ca.crt") == *api::base64_decode(ca_b64));

  // caBundle patched into every korder webhook.
  for (const char* kind : {"mutatingwebhookconfiguration", "validatingwebhookconfiguration"}) {
    INFO(kind);
    CHECK(eventually(
        [&] {
          const auto bundles = ca_bundles(cluster, kind);
          return !bundles.empty() && std::all_of(bundles.begin(), bundles.end(),
                                                 [&](const std::string& b) { return b == ca_b64; });
        },
        15s));
  }
  // install.yaml's configurations leave caBundle out: applying them again changes nothing.
  applied = cluster.kubectl({"apply", "-f", configurations});
  REQUIRE(applied.exit_code == 0);
  CHECK(applied.out.find("configured") == std::string::npos);

  // The development cluster calls the webhook over TLS: an invalid Order gets its denial.
  applied = cluster.kubectl({"apply", "-f", "-"}, order("bad-duration", "3x"));
  INFO(applied.err);
  CHECK(applied.exit_code != 0);
  CHECK(applied.err.find("unknown unit \"x\" in duration \"3x\"") != std::string::npos);
  // ... and the denial came from the webhook (counted there), not from the CRD schema.
  const std::string metrics = probe_daemon(webhook, "metrics", "/metrics").body;
  bool counted = false;
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);) {
    counted = counted || (line.rfind("korder_admission_requests_total{", 0) == 0 &&
                          line.find("validate-orders") != std::string::npos &&
                          line.find("\"denied\"") != std::string::npos &&
                          line.substr(line.size() - 2) != " 0");
  }
  INFO(metrics);
  CHECK(counted);

  // Quota admission over mutual TLS: one Order fits a quota of one, the second is denied by the
  // quota service (not "unreachable").
  applied = cluster.kubectl({"apply", "-f", "-"},
                            "apiVersion: core.korder.dev/v1alpha1\nkind: Quota\nmetadata:\n"
                            "  name: one-order\nspec:\n  scope:\n    type: Cluster\n  hard:\n"
                            "    orders: \"1\"\n");
  REQUIRE(applied.exit_code == 0);
  bool first_admitted = false;
  CHECK(eventually(
      [&] {
        applied = cluster.kubectl({"apply", "-f", "-"}, order("first", "1h"));
        first_admitted = applied.exit_code == 0;
        return first_admitted;
      },
      20s));
  INFO(applied.err);
  REQUIRE(first_admitted);
  std::string denial;
  CHECK(eventually(
      [&] {
        const auto second = cluster.kubectl({"apply", "-f", "-"}, order("second", "1h"));
        denial = second.err;
        return second.exit_code != 0 && denial.find("korder quota exceeded:") != std::string::npos;
      },
      20s));
  INFO(denial);
  CHECK(denial.find("quota \"one-order\": orders") != std::string::npos);

  // Everything above ran under deploy/rbac's grants: neither daemon was ever forbidden, and
  // both did use their certificate rules (read korder-ca; the webhook patched caBundle).
  const std::string audit = cluster.audit_log();
  int forbidden = 0;
  bool ca_read = false;
  bool bundle_patched = false;
  std::istringstream entries(audit);
  for (std::string line; std::getline(entries, line);) {
    api::JsonDocument entry;
    if (!api::parse_json(line, entry).has_value()) {
      continue;
    }
    const std::string user = str(entry, "user");
    if (user != "system:serviceaccount:korder-system:korder-quota-controller" &&
        user != "system:serviceaccount:korder-system:korder-admission-webhook") {
      continue;
    }
    if (str(entry, "decision") == "forbid") {
      ++forbidden;
      UNSCOPED_INFO("forbidden: " << line);
    }
    ca_read = ca_read || (str(entry, "resource") == "secrets" &&
                          str(entry, "name") == "korder-ca" && str(entry, "verb") == "get");
    bundle_patched = bundle_patched ||
                     (user == "system:serviceaccount:korder-system:korder-admission-webhook" &&
                      str(entry, "verb") == "patch" &&
                      str(entry, "resource").find("webhookconfigurations") != std::string::npos);
  }
  CHECK(forbidden == 0);
  CHECK(ca_read);
  CHECK(bundle_patched);
}

}  // namespace
}  // namespace korder::testing
