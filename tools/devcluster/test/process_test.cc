// The korder-devcluster binary: its command line, startup time, printed URLs, kubeconfig and
// --nodes file.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "options.h"
#include "test_support.h"

namespace korder::devcluster::testing {
namespace {

Expected<CommandLine, std::string> parse_args(std::vector<std::string> args) {
  args.insert(args.begin(), "korder-devcluster");
  std::vector<char*> argv;
  for (auto& a : args) {
    argv.push_back(a.data());
  }
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

TEST_CASE("the command line follows DESIGN.md's contract", "[unit]") {
  auto parsed = parse_args({"--port", "0", "--https-port=0", "--admin-port", "0", "--history", "50",
                            "--webhook-service-map", "korder-system/korder-webhook=127.0.0.1:9443",
                            "--webhook-service-map=a/b=127.0.0.1:1", "--kubelet-delay", "2s",
                            "--node-count", "7", "--kubeconfig-out", "/tmp/k"});
  REQUIRE(parsed);
  const DevClusterOptions& o = parsed->options;
  CHECK(o.port == 0);
  CHECK(o.https_port == std::optional<std::uint16_t>(0));
  CHECK(o.admin_port == std::optional<std::uint16_t>(0));
  CHECK(o.history == 50);
  CHECK(o.webhook_service_map ==
        std::vector<std::string>{"korder-system/korder-webhook=127.0.0.1:9443", "a/b=127.0.0.1:1"});
  CHECK(o.kubelet_delay == std::chrono::seconds(2));
  CHECK(o.node_count == 7);
  CHECK(o.kubeconfig_out == "/tmp/k");
  CHECK(parse_args({"--help"})->help);
  CHECK(parse_args({"--webhook-service-map", "nonsense"}).error() ==
        "--webhook-service-map: expected NS/NAME=HOST:PORT, got \"nonsense\"");
  CHECK(parse_args({"--kubelet-delay", "soon"}).error() ==
        "--kubelet-delay: invalid duration \"soon\"");
  CHECK(parse_args({"--history", "0"}).error() == "--history: must be at least 1, got 0");
}

TEST_CASE("the binary starts in well under a second, prints its URLs and writes a kubeconfig",
          "[integration]") {
  TempDir dir;
  const std::string kubeconfig = dir.path() + "/kubeconfig";
  const std::string nodes = dir.path() + "/nodes.yaml";
  std::ofstream(nodes)
      << "- name: big\n  labels: {node-type: compute}\n  allocatable: {cpu: \"64\", memory: "
         "256Gi}\n"
         "- name: tainted\n  taints: [{key: dedicated, value: gpu, effect: NoSchedule}]\n";
  int out_pipe[2];
  REQUIRE(pipe(out_pipe) == 0);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    close(out_pipe[0]);
    close(out_pipe[1]);
    execl(KORDER_DEVCLUSTER_BINARY, KORDER_DEVCLUSTER_BINARY, "--port", "0", "--https-port", "0",
          "--admin-port", "0", "--kubeconfig-out", kubeconfig.c_str(), "--nodes", nodes.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out_pipe[1]);
  std::string out;
  char buffer[4096];
  while (out.find("ready\n") == std::string::npos) {
    const ssize_t n = read(out_pipe[0], buffer, sizeof(buffer));
    if (n <= 0) {
      break;
    }
    out.append(buffer, static_cast<std::size_t>(n));
  }
  const auto startup = std::chrono::steady_clock::now() - start;
  INFO(out);
  CHECK(startup < std::chrono::milliseconds(1000));
  CHECK(out.find("http-url: http://127.0.0.1:") != std::string::npos);
  CHECK(out.find("https-url: https://127.0.0.1:") != std::string::npos);
  CHECK(out.find("admin-url: http://127.0.0.1:") != std::string::npos);
  CHECK(out.find("ca-file: " + kubeconfig + ".ca.crt") != std::string::npos);
  const std::string config = read_file(kubeconfig);
  CHECK(config.find("server: https://127.0.0.1:") != std::string::npos);
  CHECK(read_file(kubeconfig + ".ca.crt").rfind("-----BEGIN CERTIFICATE-----", 0) == 0);

  const std::size_t at = out.find("http-url: http://127.0.0.1:") + 27;
  HttpClient client(static_cast<std::uint16_t>(std::stoi(out.substr(at))));
  JsonDocument list = client.get("/api/v1/nodes").json();
  REQUIRE(find_member(list, "items")->Size() == 2);
  const JsonValue& big = (*find_member(list, "items"))[0];
  CHECK(string_at(big, {"status", "allocatable", "cpu"}) == "64");
  CHECK(string_at(big, {"metadata", "labels", "node-type"}) == "compute");
  CHECK(string_at((*find_member(list, "items"))[1], {"spec", "taints"}) == "");
  CHECK(find_path((*find_member(list, "items"))[1], {"spec", "taints"})->Size() == 1);

  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  close(out_pipe[0]);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

}  // namespace korder::devcluster::testing
