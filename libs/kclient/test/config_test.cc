// Server URLs, the in-cluster loader and load_config's search order (kubeconfig fields are in
// kubeconfig_test.cc).
#include "korder/kclient/config.h"

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <string>

#include "korder/kclient/testing/temp_dir.h"

namespace korder::kclient {
namespace {

using testing::TempDir;

constexpr char kCaPem[] = "-----BEGIN CERTIFICATE-----\nY2EtY2VydA==\n-----END CERTIFICATE-----\n";

// An environment made of exactly these variables.
Getenv env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

// The service-account files of a pod, in a temp directory.
struct FakePod {
  TempDir dir;
  InClusterPaths paths;

  explicit FakePod(const std::string& token = "pod-token\n", const std::string& ca = kCaPem,
                   std::optional<std::string> ns = "korder-system\n") {
    paths.token_file = dir.write("token", token);
    paths.ca_file = dir.write("ca.crt", ca);
    paths.namespace_file = (dir.path() / "namespace").string();
    if (ns) {
      dir.write("namespace", *ns);
    }
  }
};

TEST_CASE("server URLs split into scheme, host, port and base path", "[unit][kclient]") {
  struct Case {
    std::string server;
    ServerUrl want;
    std::string authority;
  };
  const Case cases[] = {
      {"https://10.0.0.1:6443", {"https", "10.0.0.1", 6443, ""}, "10.0.0.1:6443"},
      {"https://api.example.com", {"https", "api.example.com", 443, ""}, "api.example.com:443"},
      {"http://127.0.0.1:18080", {"http", "127.0.0.1", 18080, ""}, "127.0.0.1:18080"},
      {"http://localhost", {"http", "localhost", 80, ""}, "localhost:80"},
      {"https://[::1]:6443", {"https", "::1", 6443, ""}, "[::1]:6443"},
      {"https://[fd00::1]", {"https", "fd00::1", 443, ""}, "[fd00::1]:443"},
      {"https://rancher.example.com/k8s/clusters/c-abc/",
       {"https", "rancher.example.com", 443, "/k8s/clusters/c-abc"},
       "rancher.example.com:443"},
      {"HTTPS://h:1/", {"https", "h", 1, ""}, "h:1"},
      {"https://h:1/p?x=y#frag", {"https", "h", 1, "/p"}, "h:1"},
      {"https://h:", {"https", "h", 443, ""}, "h:443"},  // Go's url.Parse allows an empty port
  };
  for (const auto& c : cases) {
    INFO(c.server);
    const auto url = parse_server_url(c.server);
    REQUIRE(url.has_value());
    CHECK(*url == c.want);
    CHECK(url->authority() == c.authority);
  }
  CHECK(parse_server_url("https://[::1]:6443/base")->to_string() == "https://[::1]:6443/base");
}

TEST_CASE("a malformed server URL is an error naming it", "[unit][kclient]") {
  struct Case {
    std::string server;
    std::string want;
  };
  const Case cases[] = {
      {"10.0.0.1:6443", "no scheme; write it as https://host:port"},
      {"ftp://h", "unsupported scheme \"ftp\" (want https or http)"},
      {"https://", "no host"},
      {"https://:443", "no host"},
      {"https://h:0", "invalid port \"0\""},
      {"https://h:70000", "invalid port \"70000\""},
      {"https://h:abc", "invalid port \"abc\""},
      {"https://[::1", "unclosed '[' in the host"},
      {"https://[::1]x", "unexpected text after the IPv6 address"},
      {"https://user@h", "user information in the URL is not supported"},
  };
  for (const auto& c : cases) {
    INFO(c.server);
    const auto url = parse_server_url(c.server);
    REQUIRE_FALSE(url.has_value());
    CHECK(url.error().message == "server \"" + c.server + "\": " + c.want);
  }
}

TEST_CASE("in-cluster config comes from the service environment and account files",
          "[unit][kclient]") {
  FakePod pod;
  const auto config = load_in_cluster_config(
      env({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}}),
      pod.paths);
  REQUIRE(config.has_value());
  CHECK(config->server == "https://10.96.0.1:443");
  CHECK(config->url == ServerUrl{"https", "10.96.0.1", 443, ""});
  CHECK(config->bearer_token == "pod-token");
  CHECK(config->bearer_token_file == pod.paths.token_file);
  CHECK(config->tls.ca_pem == kCaPem);
  CHECK(config->tls.client_cert_pem.empty());
  CHECK(config->namespace_ == "korder-system");
  CHECK(config->source == "in-cluster");
}

TEST_CASE("in-cluster namespace is POD_NAMESPACE, else the account's, else default",
          "[unit][kclient]") {
  const std::map<std::string, std::string> service = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                                      {"KUBERNETES_SERVICE_PORT", "443"}};
  SECTION("POD_NAMESPACE wins") {
    FakePod pod;
    auto vars = service;
    vars["POD_NAMESPACE"] = "from-downward-api";
    const auto config = load_in_cluster_config(env(vars), pod.paths);
    REQUIRE(config.has_value());
    CHECK(config->namespace_ == "from-downward-api");
  }
  SECTION("no namespace file") {
    FakePod pod("t", kCaPem, std::nullopt);
    const auto config = load_in_cluster_config(env(service), pod.paths);
    REQUIRE(config.has_value());
    CHECK(config->namespace_ == "default");
  }
}

TEST_CASE("an IPv6 service host is bracketed in the in-cluster URL", "[unit][kclient]") {
  FakePod pod;
  const auto config = load_in_cluster_config(
      env({{"KUBERNETES_SERVICE_HOST", "fd00::1"}, {"KUBERNETES_SERVICE_PORT", "6443"}}),
      pod.paths);
  REQUIRE(config.has_value());
  CHECK(config->server == "https://[fd00::1]:6443");
  CHECK(config->url.host == "fd00::1");
}

TEST_CASE("in-cluster config errors say what is missing", "[unit][kclient]") {
  const std::map<std::string, std::string> service = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                                      {"KUBERNETES_SERVICE_PORT", "443"}};
  SECTION("no host") {
    FakePod pod;
    const auto config = load_in_cluster_config(env({}), pod.paths);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message == "in-cluster config: KUBERNETES_SERVICE_HOST is not set");
  }
  SECTION("no port") {
    FakePod pod;
    const auto config =
        load_in_cluster_config(env({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}}), pod.paths);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message == "in-cluster config: KUBERNETES_SERVICE_PORT is not set");
  }
  SECTION("a bad port") {
    FakePod pod;
    const auto config = load_in_cluster_config(
        env({{"KUBERNETES_SERVICE_HOST", "h"}, {"KUBERNETES_SERVICE_PORT", "https"}}), pod.paths);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message ==
          "in-cluster config: KUBERNETES_SERVICE_HOST/PORT: server \"https://h:https\": invalid "
          "port \"https\"");
  }
  SECTION("no token") {
    FakePod pod;
    pod.paths.token_file = (pod.dir.path() / "missing").string();
    const auto config = load_in_cluster_config(env(service), pod.paths);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message == "in-cluster config: cannot read the service account token " +
                                        pod.paths.token_file + ": No such file or directory");
  }
  SECTION("an empty token") {
    FakePod pod(" \n");
    const auto config = load_in_cluster_config(env(service), pod.paths);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message ==
          "in-cluster config: the service account token " + pod.paths.token_file + " is empty");
  }
  SECTION("no CA") {
    FakePod pod;
    pod.paths.ca_file = (pod.dir.path() / "missing.crt").string();
    const auto config = load_in_cluster_config(env(service), pod.paths);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message == "in-cluster config: cannot read the service account CA " +
                                        pod.paths.ca_file + ": No such file or directory");
  }
  SECTION("a CA that is not PEM") {
    FakePod pod("t", "garbage");
    const auto config = load_in_cluster_config(env(service), pod.paths);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message ==
          "in-cluster config: the service account CA " + pod.paths.ca_file + " holds no PEM block");
  }
}

// A kubeconfig whose only context points at `host`, so a test can tell which file was used.
std::string kubeconfig_for(const std::string& host) {
  return "current-context: c\n"
         "clusters: [{name: c, cluster: {server: 'http://" +
         host +
         ":80'}}]\n"
         "contexts: [{name: c, context: {cluster: c}}, {name: other, context: {cluster: c, "
         "namespace: other-ns}}]\n";
}

TEST_CASE(
    "load_config prefers --kubeconfig, then $KUBECONFIG, then in-cluster, then "
    "~/.kube/config",
    "[unit][kclient]") {
  TempDir dir;
  const std::string flag_file = dir.write("flag", kubeconfig_for("flag"));
  const std::string env_file = dir.write("env", kubeconfig_for("env"));
  dir.write("home/.kube/config", kubeconfig_for("home"));
  FakePod pod;
  std::map<std::string, std::string> vars = {
      {"KUBECONFIG", env_file},
      {"KUBERNETES_SERVICE_HOST", "in-cluster"},
      {"KUBERNETES_SERVICE_PORT", "443"},
      {"HOME", (dir.path() / "home").string()},
  };
  const auto host_chosen = [&](const std::string& flag) {
    ConfigLoadingRules rules;
    rules.kubeconfig = flag;
    rules.getenv = env(vars);
    rules.in_cluster = pod.paths;
    const auto config = load_config(rules);
    REQUIRE(config.has_value());
    return config->url.host;
  };
  CHECK(host_chosen(flag_file) == "flag");
  CHECK(host_chosen("") == "env");
  vars.erase("KUBECONFIG");
  CHECK(host_chosen("") == "in-cluster");
  vars.erase("KUBERNETES_SERVICE_HOST");
  CHECK(host_chosen("") == "home");
}

TEST_CASE("load_config uses the first existing file of a $KUBECONFIG list", "[unit][kclient]") {
  TempDir dir;
  const std::string second = dir.write("second", kubeconfig_for("second"));
  const std::string missing = (dir.path() / "missing").string();
  ConfigLoadingRules rules;
  SECTION("a missing entry is skipped") {
    rules.getenv = env({{"KUBECONFIG", missing + "::" + second}});
    const auto config = load_config(rules);
    REQUIRE(config.has_value());
    CHECK(config->url.host == "second");
  }
  SECTION("when no entry exists, the first is reported missing") {
    rules.getenv = env({{"KUBECONFIG", missing + ":" + missing + "2"}});
    const auto config = load_config(rules);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message ==
          "kubeconfig " + missing + ": cannot read: No such file or directory");
  }
}

TEST_CASE("load_config applies --context to the kubeconfig it finds", "[unit][kclient]") {
  TempDir dir;
  ConfigLoadingRules rules;
  rules.getenv = env({{"KUBECONFIG", dir.write("config", kubeconfig_for("h"))}});
  rules.context = "other";
  const auto config = load_config(rules);
  REQUIRE(config.has_value());
  CHECK(config->namespace_ == "other-ns");
}

TEST_CASE("load_config with nowhere to look says how to configure", "[unit][kclient]") {
  TempDir empty_home;
  ConfigLoadingRules rules;
  rules.getenv = env({{"HOME", empty_home.path().string()}});
  const auto config = load_config(rules);
  REQUIRE_FALSE(config.has_value());
  CHECK(config.error().message ==
        "no kubeconfig: set --kubeconfig or $KUBECONFIG, or run in a cluster");
}

TEST_CASE("load_config reports an in-cluster problem rather than looking further",
          "[unit][kclient]") {
  ConfigLoadingRules rules;
  rules.getenv = env({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}});
  const auto config = load_config(rules);
  REQUIRE_FALSE(config.has_value());
  CHECK(config.error().message == "in-cluster config: KUBERNETES_SERVICE_PORT is not set");
}

}  // namespace
}  // namespace korder::kclient
