#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "korder/base/expected.h"

namespace korder::kclient {

/// Why a client configuration could not be loaded. `message` is one complete, user-facing line
/// that names the file or variable at fault, e.g. `kubeconfig /x: context "foo" not found`.
struct ConfigError {
  std::string message;
};

/// Prints `e.message` (for logs and test failure messages).
std::ostream& operator<<(std::ostream& os, const ConfigError& e);

/// The API server's URL, split into what a connection needs.
struct ServerUrl {
  std::string scheme;      // "https" or "http"
  std::string host;        // a name or an address; an IPv6 address without brackets
  std::uint16_t port = 0;  // explicit, or 443 / 80 by scheme
  std::string base_path;  // a path prefix before /api (a proxy's), without a trailing '/'; often ""

  /// `host:port`, with brackets around an IPv6 address (the HTTP `Host` header form).
  std::string authority() const;
  /// `scheme://authority` followed by the base path.
  std::string to_string() const;
  bool operator==(const ServerUrl&) const = default;
};

/// Parses a kubeconfig `server` (or the in-cluster URL): `https://host[:port][/base/path]`.
/// The scheme is required and must be http or https; a query or fragment is dropped, as
/// client-go does. Errors name the URL: `server "x": ...`.
Expected<ServerUrl, ConfigError> parse_server_url(std::string_view server);

/// TLS material for connecting to the API server, as PEM text (read from files or decoded from
/// the kubeconfig's base64 `-data` fields). Empty strings mean "not set".
struct TlsConfig {
  std::string ca_pem;           // roots to trust; empty: the system's roots
  std::string client_cert_pem;  // client certificate chain (set together with the key)
  std::string client_key_pem;
  bool insecure_skip_verify = false;  // do not verify the server (only with no CA)
  std::string server_name;            // name to verify (and send as SNI) instead of the host
};

/// Everything needed to talk to one API server as one user. Plain data: the result of loading a
/// kubeconfig or the in-cluster environment. Never log it whole (it holds credentials).
struct Config {
  /// The server URL as written (`https://10.0.0.1:443`), and parsed.
  std::string server;
  ServerUrl url;
  TlsConfig tls;
  /// A static bearer token (`token` in the kubeconfig), trimmed of surrounding whitespace.
  std::string bearer_token;
  /// A file holding the token (`tokenFile`; the service-account token in a pod). When set, the
  /// transport reads the token through a `BearerTokenSource` so that rotation is picked up, and
  /// `bearer_token` holds the first value read.
  std::string bearer_token_file;
  /// The namespace this process works in by default: the context's, the pod's, or "default".
  std::string namespace_;
  /// Where the configuration came from, for one startup log line (no secrets):
  /// `kubeconfig /home/me/.kube/config, context dev` or `in-cluster`.
  std::string source;
};

/// Reads an environment variable: its value, or `std::nullopt` when unset. An empty `Getenv`
/// stands for an empty environment.
using Getenv = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment (`std::getenv`).
Getenv process_getenv();

/// Where the in-cluster loader finds the pod's service-account files (injectable for tests).
struct InClusterPaths {
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

/// Where `load_config` looks, and with which overrides (client-go's
/// `ClientConfigLoadingRules` plus the `--context` override).
struct ConfigLoadingRules {
  std::string kubeconfig;  // --kubeconfig: an explicit file, used when set
  std::string context;     // --context: instead of the kubeconfig's current-context
  Getenv getenv = process_getenv();
  InClusterPaths in_cluster;
};

/// Loads the kubeconfig at `path`, using `context` (or its `current-context` when `context` is
/// empty), as client-go's `clientcmd` does for the fields korder supports: cluster `server`,
/// `certificate-authority` / `-data`, `insecure-skip-tls-verify`, `tls-server-name`; user
/// `client-certificate` / `-data`, `client-key` / `-data`, `token`, `tokenFile`; context
/// `namespace`. Relative file paths resolve against the kubeconfig's directory. As in client-go,
/// credentials and TLS settings apply only to an `https` server. Errors (`kubeconfig <path>: ...`)
/// cover an unreadable or malformed file, a missing context, cluster or user, a missing server,
/// unreadable or invalid certificate data, conflicting fields (a file and its `-data` both set,
/// a certificate without its key, a CA with insecure-skip-tls-verify), and authentication
/// korder does not support (exec plugins, auth providers, basic auth).
Expected<Config, ConfigError> load_kubeconfig(const std::string& path,
                                              const std::string& context = "");

/// Loads the configuration of a pod (client-go's `rest.InClusterConfig`): server
/// `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the service-account token (kept
/// as `bearer_token_file`, so rotation is picked up) and CA; the namespace from `$POD_NAMESPACE`,
/// else the service-account namespace file, else "default". Errors start with
/// `in-cluster config: ` (`in-cluster config: KUBERNETES_SERVICE_HOST is not set`).
Expected<Config, ConfigError> load_in_cluster_config(const Getenv& getenv,
                                                     const InClusterPaths& paths = {});

/// Finds and loads the configuration the way controller-runtime's `GetConfig` does:
///  1. `rules.kubeconfig` (`--kubeconfig`), when set;
///  2. `$KUBECONFIG`, when set: korder reads one file, the first entry of the colon-separated
///     list that exists (or the first entry, to report it missing); client-go would merge them;
///  3. the in-cluster configuration, when `KUBERNETES_SERVICE_HOST` is set;
///  4. `$HOME/.kube/config`, when it exists.
/// `rules.context` applies to whichever kubeconfig is used. If nothing is found:
/// `no kubeconfig: set --kubeconfig or $KUBECONFIG, or run in a cluster`.
Expected<Config, ConfigError> load_config(const ConfigLoadingRules& rules);

}  // namespace korder::kclient
