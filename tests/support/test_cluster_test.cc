// The shared test fixture itself: the development cluster starts as a process, answers the
// API and the admin endpoint, and the real kubectl reaches it.
#include "test_cluster.h"

#include <signal.h>

#include <catch2/catch.hpp>

#include "daemon_replicas.h"

namespace korder::testing {

TEST_CASE("the test cluster starts, serves the API and kubectl, and stops", "[integration]") {
  pid_t pid = 0;
  {
    TestCluster cluster;
    pid = cluster.process().pid();
    CHECK(cluster.https_url().rfind("https://127.0.0.1:", 0) == 0);

    const HttpAnswer version = cluster.api("GET", "/version");
    CHECK(version.status == 200);
    CHECK(version.body.find("\"minor\":\"32\"") != std::string::npos);

    CHECK(cluster.admin("/admin/compact").status == 200);

    cluster.install_crds();
    const auto got = cluster.kubectl({"get", "crd", "orders.core.korder.dev", "-o", "name"});
    INFO(got.err);
    CHECK(got.exit_code == 0);
    CHECK(got.out == "customresourcedefinition.apiextensions.k8s.io/orders.core.korder.dev\n");

    const auto missing = cluster.kubectl({"get", "order", "nope", "-n", "default"});
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("\"nope\" not found") != std::string::npos);
  }
  CHECK(kill(pid, 0) != 0);  // the process is gone with the fixture
}

TEST_CASE("a command killed at its timeout reports -1", "[unit]") {
  const auto result = run_command({"sleep", "5"}, {}, std::chrono::milliseconds(100));
  CHECK(result.exit_code == -1);
  const auto ok =
      run_command({"sh", "-c", "cat; echo err >&2; exit 3"}, {}, std::chrono::seconds(5), "in\n");
  CHECK(ok.exit_code == 3);
  CHECK(ok.out == "in\n");
  CHECK(ok.err == "err\n");
}

TEST_CASE("a background process is terminated gracefully and reports its exit", "[unit]") {
  TempDir dir;
  Process process(
      {"sh", "-c", "trap 'echo bye; exit 7' TERM; echo hello; while :; do sleep 0.05; done"}, {},
      dir.path() + "/out");
  REQUIRE(process.wait_for_output("hello", std::chrono::seconds(5)));
  CHECK(process.running());
  CHECK(process.terminate(std::chrono::seconds(5)) == 7);
  CHECK(process.output() == "hello\nbye\n");
  CHECK_FALSE(process.running());
}

TEST_CASE("daemon replicas get their POD_NAME, a log each, and fail loudly when not ready",
          "[unit]") {
  TempDir dir;
  DaemonReplicas replicas(dir.path());
  Process& first = replicas.start(
      "pod-a",
      {"sh", "-c", "echo \"server=metrics address=127.0.0.1 port=4321 pod=$POD_NAME\"; sleep 30"});
  CHECK(logged_port(first.output(), "metrics") == 4321);
  CHECK(logged_port(first.output(), "health") == 0);
  CHECK(first.output().find("pod=pod-a") != std::string::npos);
  CHECK(read_file(dir.path() + "/pod-a-0.log") == first.output());
  CHECK_THROWS_WITH(probe_daemon(first, "health", "/healthz"),
                    Catch::Contains("no port for server=health"));
  CHECK_THROWS_WITH(replicas.start("pod-b", {"sh", "-c", "echo starting; exit 1"}),
                    Catch::Contains("replica pod-b did not print \"server=metrics\":\nstarting"));
}

TEST_CASE("an RBAC test cluster serves its admin, mints component kubeconfigs and audits",
          "[integration]") {
  TestCluster cluster(TestCluster::Authorization::Rbac);
  // api() authenticates as the admin; the kubeconfig's kubectl too.
  CHECK(cluster.api("GET", "/api/v1/namespaces/default/pods").status == 200);
  CHECK(http_request(cluster.port(), "GET", "/api/v1/namespaces/default/pods").status == 403);
  REQUIRE(cluster.kubectl({"create", "serviceaccount", "robot", "-n", "korder-system"}).exit_code ==
          0);
  const std::string kubeconfig = cluster.service_account_kubeconfig("korder-system", "robot");
  const auto denied = cluster.kubectl({"--kubeconfig", kubeconfig, "get", "pods"});
  CHECK(denied.exit_code != 0);
  CHECK(denied.err.find("User \"system:serviceaccount:korder-system:robot\" cannot list resource "
                        "\"pods\"") != std::string::npos);
  const std::string audit = cluster.audit_log();
  CHECK(audit.find(R"("user":"system:serviceaccount:korder-system:robot")") != std::string::npos);
  CHECK(read_file(cluster.audit_log_path()).find(R"("decision":"forbid")") != std::string::npos);
}

}  // namespace korder::testing
