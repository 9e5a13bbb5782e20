#include <catch2/catch.hpp>
#include <string>

#include "korder/kclient/config.h"
#include "korder/kclient/testing/temp_dir.h"

namespace korder::kclient {
namespace {

using testing::TempDir;

constexpr char kCaPem[] = "-----BEGIN CERTIFICATE-----\nY2EtY2VydA==\n-----END CERTIFICATE-----\n";
constexpr char kCaData[] =
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClkyRXRZMlZ5ZEE9PQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==";
constexpr char kCertPem[] =
    "-----BEGIN CERTIFICATE-----\nY2xpZW50LWNlcnQ=\n-----END CERTIFICATE-----\n";
constexpr char kCertData[] =
    "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClkyeHBaVzUwTFdObGNuUT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQ"
    "o"
    "=";
constexpr char kKeyPem[] =
    "-----BEGIN EC PRIVATE KEY-----\nY2xpZW50LWtleQ==\n-----END EC PRIVATE KEY-----\n";
constexpr char kKeyData[] =
    "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tClkyeHBaVzUwTFd0bGVRPT0KLS0tLS1FTkQgRUMgUFJJVkFURSBLRV"
    "k"
    "tLS0tLQo=";

// A kubeconfig with one context "dev" (cluster "dev", user "me"); `cluster` and `user` are the
// indented fields of each, `context` extra fields of the context.
std::string kubeconfig(const std::string& cluster, const std::string& user,
                       const std::string& context = "") {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "current-context: dev\n"
         "clusters:\n"
         "- name: dev\n"
         "  cluster:\n" +
         cluster +
         "contexts:\n"
         "- name: dev\n"
         "  context:\n"
         "    cluster: dev\n"
         "    user: me\n" +
         context +
         "users:\n"
         "- name: me\n"
         "  user:\n" +
         user;
}

TEST_CASE("a kubeconfig with embedded certificates yields every field", "[unit][kclient]") {
  TempDir dir;
  const std::string path =
      dir.write("config", kubeconfig("    server: https://10.0.0.1:6443/prefix/\n"
                                     "    certificate-authority-data: " +
                                         std::string(kCaData) +
                                         "\n"
                                         "    tls-server-name: kubernetes.default.svc\n",
                                     "    client-certificate-data: " + std::string(kCertData) +
                                         "\n"
                                         "    client-key-data: " +
                                         kKeyData + "\n",
                                     "    namespace: shop\n"));
  const auto config = load_kubeconfig(path);
  REQUIRE(config.has_value());
  CHECK(config->server == "https://10.0.0.1:6443/prefix/");
  CHECK(config->url == ServerUrl{"https", "10.0.0.1", 6443, "/prefix"});
  CHECK(config->tls.ca_pem == kCaPem);
  CHECK(config->tls.client_cert_pem == kCertPem);
  CHECK(config->tls.client_key_pem == kKeyPem);
  CHECK(config->tls.server_name == "kubernetes.default.svc");
  CHECK_FALSE(config->tls.insecure_skip_verify);
  CHECK(config->bearer_token.empty());
  CHECK(config->bearer_token_file.empty());
  CHECK(config->namespace_ == "shop");
  CHECK(config->source == "kubeconfig " + path + ", context dev");
}

TEST_CASE("certificate data split over several lines decodes as Go decodes it", "[unit][kclient]") {
  const std::string data = kCaData;
  TempDir dir;
  const std::string path = dir.write("config", kubeconfig("    server: https://h:1\n"
                                                          "    certificate-authority-data: |\n"
                                                          "      " +
                                                              data.substr(0, 40) +
                                                              "\n"
                                                              "      " +
                                                              data.substr(40) + "\n",
                                                          ""));
  const auto config = load_kubeconfig(path);
  REQUIRE(config.has_value());
  CHECK(config->tls.ca_pem == kCaPem);
}

TEST_CASE("relative file paths in a kubeconfig resolve against its directory", "[unit][kclient]") {
  TempDir dir;
  dir.write("kube/certs/ca.crt", kCaPem);
  dir.write("kube/certs/client.crt", kCertPem);
  dir.write("kube/certs/client.key", kKeyPem);
  const std::string token_path = dir.write("kube/token", "  s3cret-token\n");
  const std::string path =
      dir.write("kube/config", kubeconfig("    server: https://api.example.com\n"
                                          "    certificate-authority: certs/ca.crt\n",
                                          "    client-certificate: certs/client.crt\n"
                                          "    client-key: certs/client.key\n"
                                          "    tokenFile: token\n"));
  const auto config = load_kubeconfig(path);
  REQUIRE(config.has_value());
  CHECK(config->url == ServerUrl{"https", "api.example.com", 443, ""});
  CHECK(config->tls.ca_pem == kCaPem);
  CHECK(config->tls.client_cert_pem == kCertPem);
  CHECK(config->tls.client_key_pem == kKeyPem);
  CHECK(config->bearer_token == "s3cret-token");
  CHECK(config->bearer_token_file == token_path);
  CHECK(config->namespace_ == "default");
}

TEST_CASE("absolute file paths in a kubeconfig are used as they are", "[unit][kclient]") {
  TempDir certs;
  const std::string ca = certs.write("ca.crt", kCaPem);
  TempDir dir;
  const std::string path = dir.write("config", kubeconfig("    server: https://h:1\n"
                                                          "    certificate-authority: " +
                                                              ca + "\n",
                                                          "    token: abc\n"));
  const auto config = load_kubeconfig(path);
  REQUIRE(config.has_value());
  CHECK(config->tls.ca_pem == kCaPem);
}

TEST_CASE("a static token wins over tokenFile, which is kept for rotation", "[unit][kclient]") {
  TempDir dir;
  const std::string path = dir.write("config", kubeconfig("    server: https://h:1\n"
                                                          "    insecure-skip-tls-verify: true\n",
                                                          "    token: \"static-token \"\n"
                                                          "    tokenFile: /does/not/matter\n"));
  const auto config = load_kubeconfig(path);
  REQUIRE(config.has_value());
  CHECK(config->bearer_token == "static-token");
  CHECK(config->bearer_token_file == "/does/not/matter");
  CHECK(config->tls.insecure_skip_verify);
}

TEST_CASE("an explicit context overrides current-context", "[unit][kclient]") {
  TempDir dir;
  const std::string path = dir.write("config",
                                     "current-context: a\n"
                                     "clusters:\n"
                                     "- {name: ca, cluster: {server: 'https://a.example:1'}}\n"
                                     "- {name: cb, cluster: {server: 'https://b.example:2'}}\n"
                                     "contexts:\n"
                                     "- {name: a, context: {cluster: ca, namespace: na}}\n"
                                     "- {name: b, context: {cluster: cb, namespace: nb}}\n");
  const auto a = load_kubeconfig(path);
  REQUIRE(a.has_value());
  CHECK(a->url.host == "a.example");
  CHECK(a->namespace_ == "na");
  const auto b = load_kubeconfig(path, "b");
  REQUIRE(b.has_value());
  CHECK(b->url.host == "b.example");
  CHECK(b->namespace_ == "nb");
  CHECK(b->source == "kubeconfig " + path + ", context b");
}

TEST_CASE("a plain-http server (the development cluster) takes no credentials or TLS",
          "[unit][kclient]") {
  // The development cluster's kubeconfig, from the protocol reference.
  TempDir dir;
  const std::string path =
      dir.write("config",
                "apiVersion: v1\n"
                "kind: Config\n"
                "clusters: [{name: dev, cluster: {server: \"http://127.0.0.1:18080\"}}]\n"
                "contexts: [{name: dev, context: {cluster: dev, namespace: default, user: dev}}]\n"
                "current-context: dev\n"
                "users: [{name: dev, user: {token: ignored, exec: {command: never-run}}}]\n");
  const auto config = load_kubeconfig(path);
  REQUIRE(config.has_value());
  CHECK(config->url == ServerUrl{"http", "127.0.0.1", 18080, ""});
  CHECK(config->bearer_token.empty());
  CHECK(config->tls.ca_pem.empty());
  CHECK(config->namespace_ == "default");
}

TEST_CASE("a context without a user connects anonymously", "[unit][kclient]") {
  TempDir dir;
  const std::string path = dir.write("config",
                                     "current-context: dev\n"
                                     "clusters: [{name: dev, cluster: {server: 'https://h:1', "
                                     "certificate-authority-data: " +
                                         std::string(kCaData) +
                                         "}}]\n"
                                         "contexts: [{name: dev, context: {cluster: dev}}]\n");
  const auto config = load_kubeconfig(path);
  REQUIRE(config.has_value());
  CHECK(config->bearer_token.empty());
  CHECK(config->tls.client_cert_pem.empty());
  CHECK(config->tls.ca_pem == kCaPem);
}

TEST_CASE("a kubeconfig that cannot be used is an error naming the file and the problem",
          "[unit][kclient]") {
  struct Case {
    const char* name;
    std::string content;
    std::string context;
    std::string want;  // after "kubeconfig <path>: "; "{dir}" stands for the temp directory
  };
  const std::string server = "    server: https://h:1\n";
  const Case cases[] = {
      {"an empty file", "", "", "the file is empty"},
      {"a list at the top level", "- a\n- b\n", "",
       "not a kubeconfig (the top level is not a map)"},
      {"no current context", "clusters: []\n", "",
       "no current-context is set; choose a context with --context"},
      {"an unknown context", kubeconfig(server, ""), "foo", "context \"foo\" not found"},
      {"a context without a cluster",
       "current-context: dev\ncontexts: [{name: dev, context: {user: me}}]\n", "",
       "context \"dev\" names no cluster"},
      {"an unknown cluster",
       "current-context: dev\ncontexts: [{name: dev, context: {cluster: nope}}]\n", "",
       "cluster \"nope\" not found (named by context \"dev\")"},
      {"an unknown user",
       "current-context: dev\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
       "contexts: [{name: dev, context: {cluster: c, user: ghost}}]\n",
       "", "user \"ghost\" not found (named by context \"dev\")"},
      {"no server", kubeconfig("    insecure-skip-tls-verify: true\n", ""), "",
       "cluster \"dev\" has no server"},
      {"an unsupported scheme", kubeconfig("    server: ftp://h\n", ""), "",
       "cluster \"dev\": server \"ftp://h\": unsupported scheme \"ftp\" (want https or http)"},
      {"a server without a scheme", kubeconfig("    server: 10.0.0.1:6443\n", ""), "",
       "cluster \"dev\": server \"10.0.0.1:6443\": no scheme; write it as https://host:port"},
      {"both CA file and CA data",
       kubeconfig(server + "    certificate-authority: ca.crt\n    certificate-authority-data: " +
                      kCaData + "\n",
                  ""),
       "",
       "cluster \"dev\": certificate-authority and certificate-authority-data are both set; keep "
       "one"},
      {"a missing CA file", kubeconfig(server + "    certificate-authority: missing.crt\n", ""), "",
       "cluster \"dev\": cannot read certificate-authority {dir}/missing.crt: No such file or "
       "directory"},
      {"CA data that is not base64",
       kubeconfig(server + "    certificate-authority-data: '!!not base64!!'\n", ""), "",
       "cluster \"dev\": certificate-authority-data is not valid base64: illegal base64 data at "
       "input byte 0"},
      {"CA data that is not PEM",
       kubeconfig(server + "    certificate-authority-data: bm90IHBlbQ==\n", ""), "",
       "cluster \"dev\": certificate-authority-data holds no PEM block"},
      {"a CA with insecure-skip-tls-verify",
       kubeconfig(server + "    insecure-skip-tls-verify: true\n    certificate-authority-data: " +
                      kCaData + "\n",
                  ""),
       "", "cluster \"dev\": a certificate authority with insecure-skip-tls-verify is not allowed"},
      {"insecure-skip-tls-verify that is not a boolean",
       kubeconfig(server + "    insecure-skip-tls-verify: maybe\n", ""), "",
       "cluster \"dev\": insecure-skip-tls-verify is not a boolean"},
      {"a client certificate without a key",
       kubeconfig(server, "    client-certificate-data: " + std::string(kCertData) + "\n"), "",
       "user \"me\": client-certificate is set without client-key"},
      {"a client key without a certificate",
       kubeconfig(server, "    client-key-data: " + std::string(kKeyData) + "\n"), "",
       "user \"me\": client-key is set without client-certificate"},
      {"both client certificate file and data",
       kubeconfig(server, "    client-certificate: c.crt\n    client-certificate-data: " +
                              std::string(kCertData) + "\n"),
       "", "user \"me\": client-certificate and client-certificate-data are both set; keep one"},
      {"both client key file and data",
       kubeconfig(server,
                  "    client-key: c.key\n    client-key-data: " + std::string(kKeyData) + "\n"),
       "", "user \"me\": client-key and client-key-data are both set; keep one"},
      {"client key data that is not PEM",
       kubeconfig(server, "    client-certificate-data: " + std::string(kCertData) +
                              "\n    client-key-data: bm90IHBlbQ==\n"),
       "", "user \"me\": client-key-data holds no PEM block"},
      {"an exec plugin", kubeconfig(server, "    exec: {command: aws}\n"), "",
       "user \"me\": exec credential plugins are not supported; use a token or a client "
       "certificate"},
      {"an auth provider", kubeconfig(server, "    auth-provider: {name: gcp}\n"), "",
       "user \"me\": auth providers are not supported; use a token or a client certificate"},
      {"basic auth", kubeconfig(server, "    username: admin\n    password: admin\n"), "",
       "user \"me\": basic authentication (username/password) is not supported"},
      {"a missing token file", kubeconfig(server, "    tokenFile: nope\n"), "",
       "user \"me\": cannot read tokenFile {dir}/nope: No such file or directory"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      TempDir dir;
      const std::string path = dir.write("config", c.content);
      std::string want = "kubeconfig " + path + ": " + c.want;
      if (const auto at = want.find("{dir}"); at != std::string::npos) {
        want.replace(at, 5, dir.path().string());
      }
      const auto config = load_kubeconfig(path, c.context);
      REQUIRE_FALSE(config.has_value());
      CHECK(config.error().message == want);
    }
  }
}

TEST_CASE("an empty token file is an error", "[unit][kclient]") {
  TempDir dir;
  const std::string token = dir.write("token", "\n");
  const std::string path =
      dir.write("config", kubeconfig("    server: https://h:1\n", "    tokenFile: token\n"));
  const auto config = load_kubeconfig(path);
  REQUIRE_FALSE(config.has_value());
  CHECK(config.error().message ==
        "kubeconfig " + path + ": user \"me\": tokenFile " + token + " is empty");
}

TEST_CASE("an unreadable or malformed kubeconfig is an error naming the file", "[unit][kclient]") {
  TempDir dir;
  SECTION("missing") {
    const std::string path = (dir.path() / "nope").string();
    const auto config = load_kubeconfig(path);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message ==
          "kubeconfig " + path + ": cannot read: No such file or directory");
  }
  SECTION("a directory") {
    const auto config = load_kubeconfig(dir.path().string());
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().message ==
          "kubeconfig " + dir.path().string() + ": cannot read: is a directory");
  }
  SECTION("not YAML") {
    const std::string path = dir.write("config", "clusters: [unclosed\n");
    const auto config = load_kubeconfig(path);
    REQUIRE_FALSE(config.has_value());
    CHECK_THAT(config.error().message,
               Catch::StartsWith("kubeconfig " + path + ": invalid YAML: "));
  }
  SECTION("a map where a string belongs") {
    const std::string path = dir.write("config", kubeconfig("    server: {a: b}\n", ""));
    const auto config = load_kubeconfig(path);
    REQUIRE_FALSE(config.has_value());
    CHECK_THAT(config.error().message,
               Catch::StartsWith("kubeconfig " + path + ": invalid kubeconfig: ") &&
                   Catch::Contains("expected a string, found a map or a list"));
  }
}

}  // namespace
}  // namespace korder::kclient
