#pragma once

// The development cluster as a real process, for integration and end-to-end tests: started on
// free loopback ports (plain HTTP, HTTPS and the admin endpoint), with its kubeconfig, the real
// kubectl pointed at it, and a small HTTP client for the admin controls and raw API calls.
//
//   korder::testing::TestCluster cluster;          // ready when the constructor returns
//   cluster.install_crds();                         // kubectl apply -k deploy/crds
//   auto r = cluster.kubectl({"apply", "-f", "-"}, manifest);
//   cluster.admin("/admin/drop-watches");

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace korder::testing {

/// One HTTP answer.
struct HttpAnswer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

/// A blocking HTTP/1.1 request to 127.0.0.1:`port` (one connection per call). Throws
/// std::runtime_error when the server cannot be reached.
HttpAnswer http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "",
                        const std::string& content_type = "application/json");

/// The same with extra request headers (e.g. `Authorization: Bearer …`).
HttpAnswer http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, const std::string& content_type,
                        const std::map<std::string, std::string>& headers);

/// The bearer token of the admin user (system:masters) in the kubeconfig the cluster writes.
inline constexpr const char* kAdminToken = "korder-devcluster-admin";

/// The port of a URL such as `http://127.0.0.1:41427`.
std::uint16_t port_of(const std::string& url);

/// A running korder-devcluster process.
class TestCluster {
 public:
  /// Starts the cluster with `extra_args` appended to the command line (e.g. `--history`,
  /// `--kubelet-delay`), waiting until it prints `ready`; throws with its output when it fails.
  explicit TestCluster(std::vector<std::string> extra_args = {});

  /// `--authorization-mode` of the cluster.
  enum class Authorization { AlwaysAllow, Rbac };
  /// With Authorization::Rbac the cluster enforces RBAC (`--authorization-mode RBAC`) and writes
  /// an audit log (`--audit-log-path <dir>/audit.log`); api() then sends the admin token.
  TestCluster(Authorization authorization, std::vector<std::string> extra_args = {});
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  const std::string& http_url() const { return http_url_; }
  const std::string& https_url() const { return https_url_; }
  const std::string& admin_url() const { return admin_url_; }
  std::uint16_t port() const { return port_of(http_url_); }
  /// The kubeconfig the cluster wrote (HTTPS, verified against its CA).
  const std::string& kubeconfig() const { return kubeconfig_; }
  /// A kubeconfig for the plain HTTP port (written on first use).
  const std::string& plain_kubeconfig();
  const std::string& ca_file() const { return ca_file_; }
  /// A scratch directory removed with the cluster.
  const std::string& dir() const { return dir_.path(); }
  Process& process() { return *process_; }

  /// A raw API request over plain HTTP.
  HttpAnswer api(const std::string& method, const std::string& target, const std::string& body = "",
                 const std::string& content_type = "application/json");
  /// A raw API request over plain HTTP with `Authorization: Bearer <token>`.
  HttpAnswer api_as(const std::string& token, const std::string& method, const std::string& target,
                    const std::string& body = "",
                    const std::string& content_type = "application/json");
  /// POST to the admin endpoint (`/admin/compact`, `/admin/drop-watches`, ...).
  HttpAnswer admin(const std::string& path, const std::string& body = "{}");
  /// GET on the admin endpoint.
  HttpAnswer admin_get(const std::string& path);
  /// The audit log (`GET /admin/audit`): one JSON object per line. Throws when unavailable.
  std::string audit_log();
  /// The audit log file of an RBAC cluster ("" otherwise).
  const std::string& audit_log_path() const { return audit_log_; }

  /// `kubectl create token SERVICE_ACCOUNT -n NAMESPACE` (TokenRequest): the token. Throws with
  /// kubectl's output when it fails.
  std::string create_token(const std::string& namespace_, const std::string& service_account);
  /// Writes a kubeconfig for the HTTPS endpoint authenticating with `token` as
  /// `<dir>/kubeconfig-<name>`; returns its path.
  std::string write_token_kubeconfig(const std::string& name, const std::string& token);
  /// A kubeconfig with a fresh token of ServiceAccount NAMESPACE/SERVICE_ACCOUNT (which must
  /// exist): a component's own identity.
  std::string service_account_kubeconfig(const std::string& namespace_,
                                         const std::string& service_account);

  /// Runs the real kubectl against the cluster (HTTPS kubeconfig) with a fresh HOME and cache.
  /// Throws when kubectl is not on PATH: tests rely on it and never skip.
  CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = "",
                        std::chrono::milliseconds timeout = std::chrono::seconds(30));

  /// `kubectl apply -k deploy/crds`; throws with kubectl's output when it fails.
  void install_crds();

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  std::string http_url_;
  std::string https_url_;
  std::string admin_url_;
  std::string kubeconfig_;
  std::string plain_kubeconfig_;
  std::string ca_file_;
  std::string audit_log_;
  std::string api_token_;  // sent by api() when set (RBAC clusters)
};

}  // namespace korder::testing
