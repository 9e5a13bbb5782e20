// load_kubeconfig: client-go's clientcmd for the subset of kubeconfig korder supports.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "korder/api/base64.h"
#include "korder/kclient/config.h"
#include "read_file.h"
#include "yaml-cpp/yaml.h"

namespace korder::kclient {
namespace {

/// Reads one kubeconfig file. Every error message starts with `kubeconfig <path>: `.
/// yaml-cpp throws; load() catches whatever a lookup below lets escape.
class KubeconfigLoader {
 public:
  explicit KubeconfigLoader(std::string path)
      : path_(std::move(path)), dir_(std::filesystem::path(path_).parent_path()) {}

  Expected<Config, ConfigError> load(const std::string& context_override) {
    try {
      return load_unchecked(context_override);
    } catch (const YAML::Exception& e) {
      return fail(std::string("invalid kubeconfig: ") + e.what());
    }
  }

 private:
  using Result = Expected<Config, ConfigError>;

  Unexpected<ConfigError> fail(const std::string& what) const {
    return Unexpected(ConfigError{"kubeconfig " + path_ + ": " + what});
  }

  Result load_unchecked(const std::string& context_override) {
    auto text = detail::read_file(path_);
    if (!text) {
      return fail("cannot read: " + text.error());
    }
    YAML::Node root;
    try {
      root = YAML::Load(*text);
    } catch (const YAML::Exception& e) {
      return fail(std::string("invalid YAML: ") + e.what());
    }
    if (root.IsNull() || !root.IsDefined()) {
      return fail("the file is empty");
    }
    if (!root.IsMap()) {
      return fail("not a kubeconfig (the top level is not a map)");
    }
    std::string context_name = context_override;
    if (context_name.empty()) {
      context_name = scalar(root["current-context"]);
    }
    if (context_name.empty()) {
      return fail("no current-context is set; choose a context with --context");
    }
    const auto context = find_named(root, "contexts", "context", context_name);
    if (!context) {
      return fail("context \"" + context_name + "\" not found");
    }
    const std::string cluster_name = scalar((*context)["cluster"]);
    if (cluster_name.empty()) {
      return fail("context \"" + context_name + "\" names no cluster");
    }
    const auto cluster = find_named(root, "clusters", "cluster", cluster_name);
    if (!cluster) {
      return fail("cluster \"" + cluster_name + "\" not found (named by context \"" + context_name +
                  "\")");
    }

    Config config;
    config.source = "kubeconfig " + path_ + ", context " + context_name;
    config.namespace_ = scalar((*context)["namespace"]);
    if (config.namespace_.empty()) {
      config.namespace_ = "default";
    }
    config.server = scalar((*cluster)["server"]);
    if (config.server.empty()) {
      return fail("cluster \"" + cluster_name + "\" has no server");
    }
    auto url = parse_server_url(config.server);
    if (!url) {
      return fail("cluster \"" + cluster_name + "\": " + url.error().message);
    }
    config.url = std::move(*url);
    // As client-go: TLS settings and credentials are used only over TLS, never sent in the clear.
    if (config.url.scheme != "https") {
      return config;
    }
    if (auto ok = load_cluster_tls(cluster_name, *cluster, config.tls); !ok) {
      return Unexpected(std::move(ok).error());
    }
    const std::string user_name = scalar((*context)["user"]);
    if (user_name.empty()) {
      return config;  // anonymous
    }
    const auto user = find_named(root, "users", "user", user_name);
    if (!user) {
      return fail("user \"" + user_name + "\" not found (named by context \"" + context_name +
                  "\")");
    }
    if (auto ok = load_user(user_name, *user, config); !ok) {
      return Unexpected(std::move(ok).error());
    }
    return config;
  }

  Expected<void, ConfigError> load_cluster_tls(const std::string& name, const YAML::Node& cluster,
                                               TlsConfig& tls) {
    const std::string where = "cluster \"" + name + "\": ";
    auto ca = pem_from(where, cluster, "certificate-authority");
    if (!ca) {
      return Unexpected(std::move(ca).error());
    }
    tls.ca_pem = std::move(*ca);
    const YAML::Node insecure = cluster["insecure-skip-tls-verify"];
    if (insecure && !insecure.IsNull()) {
      bool value = false;
      if (!insecure.IsScalar() || !YAML::convert<bool>::decode(insecure, value)) {
        return fail(where + "insecure-skip-tls-verify is not a boolean");
      }
      tls.insecure_skip_verify = value;
    }
    if (tls.insecure_skip_verify && !tls.ca_pem.empty()) {
      return fail(where + "a certificate authority with insecure-skip-tls-verify is not allowed");
    }
    tls.server_name = scalar(cluster["tls-server-name"]);
    return {};
  }

  Expected<void, ConfigError> load_user(const std::string& name, const YAML::Node& user,
                                        Config& config) {
    const std::string where = "user \"" + name + "\": ";
    if (user["exec"] && !user["exec"].IsNull()) {
      return fail(where +
                  "exec credential plugins are not supported; use a token or a client "
                  "certificate");
    }
    if (user["auth-provider"] && !user["auth-provider"].IsNull()) {
      return fail(where + "auth providers are not supported; use a token or a client certificate");
    }
    if (!scalar(user["username"]).empty() || !scalar(user["password"]).empty()) {
      return fail(where + "basic authentication (username/password) is not supported");
    }
    auto cert = pem_from(where, user, "client-certificate");
    if (!cert) {
      return Unexpected(std::move(cert).error());
    }
    auto key = pem_from(where, user, "client-key");
    if (!key) {
      return Unexpected(std::move(key).error());
    }
    if (!cert->empty() && key->empty()) {
      return fail(where + "client-certificate is set without client-key");
    }
    if (cert->empty() && !key->empty()) {
      return fail(where + "client-key is set without client-certificate");
    }
    config.tls.client_cert_pem = std::move(*cert);
    config.tls.client_key_pem = std::move(*key);

    config.bearer_token = detail::trim_space(scalar(user["token"]));
    const std::string token_file = scalar(user["tokenFile"]);
    if (!token_file.empty()) {
      config.bearer_token_file = resolve(token_file);
      // As client-go: a static token wins; otherwise the file is read now (and re-read later).
      if (config.bearer_token.empty()) {
        auto token = detail::read_file(config.bearer_token_file);
        if (!token) {
          return fail(where + "cannot read tokenFile " + config.bearer_token_file + ": " +
                      token.error());
        }
        config.bearer_token = detail::trim_space(*token);
        if (config.bearer_token.empty()) {
          return fail(where + "tokenFile " + config.bearer_token_file + " is empty");
        }
      }
    }
    return {};
  }

  // The PEM text of `<field>` (a file path) or `<field>-data` (base64): "" when neither is set.
  Expected<std::string, ConfigError> pem_from(const std::string& where, const YAML::Node& node,
                                              const std::string& field) {
    const std::string file = scalar(node[field]);
    const std::string data = scalar(node[field + "-data"]);
    if (!file.empty() && !data.empty()) {
      return fail(where + field + " and " + field + "-data are both set; keep one");
    }
    std::string pem;
    if (!file.empty()) {
      const std::string resolved = resolve(file);
      auto content = detail::read_file(resolved);
      if (!content) {
        return fail(where + "cannot read " + field + " " + resolved + ": " + content.error());
      }
      pem = std::move(*content);
    } else if (!data.empty()) {
      // Decoded as Go's base64.StdEncoding does for a []byte field (line breaks are skipped).
      auto decoded = api::base64_decode(data);
      if (!decoded) {
        return fail(where + field + "-data is not valid base64: " + decoded.error().message);
      }
      pem = std::move(*decoded);
    } else {
      return std::string();
    }
    if (pem.find("-----BEGIN ") == std::string::npos) {
      return fail(where + field + (file.empty() ? "-data" : " " + resolve(file)) +
                  " holds no PEM block");
    }
    return pem;
  }

  // A scalar's text; "" for a missing or null node. A map or a list where text belongs throws,
  // and load() reports it.
  static std::string scalar(const YAML::Node& node) {
    if (!node || node.IsNull()) {
      return "";
    }
    if (!node.IsScalar()) {
      throw YAML::Exception(node.Mark(), "expected a string, found a map or a list");
    }
    return node.Scalar();
  }

  // The inner map (`cluster`, `context` or `user`) of the entry named `name` in `section`.
  static std::optional<YAML::Node> find_named(const YAML::Node& root, const char* section,
                                              const char* inner, const std::string& name) {
    const YAML::Node list = root[section];
    if (!list || !list.IsSequence()) {
      return std::nullopt;
    }
    for (const YAML::Node& entry : list) {
      if (entry.IsMap() && scalar(entry["name"]) == name) {
        const YAML::Node value = entry[inner];
        return value && !value.IsNull() ? value : YAML::Node(YAML::NodeType::Map);
      }
    }
    return std::nullopt;
  }

  // A path from the kubeconfig: relative paths are relative to the kubeconfig's directory.
  std::string resolve(const std::string& file) const {
    const std::filesystem::path p(file);
    if (p.is_absolute() || dir_.empty()) {
      return file;
    }
    return (dir_ / p).string();
  }

  std::string path_;
  std::filesystem::path dir_;
};

}  // namespace

Expected<Config, ConfigError> load_kubeconfig(const std::string& path, const std::string& context) {
  return KubeconfigLoader(path).load(context);
}

}  // namespace korder::kclient
