// ServerUrl parsing and the search order of load_config; the kubeconfig and in-cluster loaders
// live in kubeconfig.cc and in_cluster_config.cc.
#include "korder/kclient/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <system_error>

namespace korder::kclient {
namespace {

Unexpected<ConfigError> server_error(std::string_view server, std::string_view what) {
  return Unexpected(ConfigError{"server \"" + std::string(server) + "\": " + std::string(what)});
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const ConfigError& e) { return os << e.message; }

std::string ServerUrl::authority() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string ServerUrl::to_string() const { return scheme + "://" + authority() + base_path; }

Expected<ServerUrl, ConfigError> parse_server_url(std::string_view server) {
  ServerUrl url;
  const auto scheme_end = server.find("://");
  if (scheme_end == std::string_view::npos) {
    return server_error(server, "no scheme; write it as https://host:port");
  }
  url.scheme = std::string(server.substr(0, scheme_end));
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (url.scheme != "https" && url.scheme != "http") {
    return server_error(server, "unsupported scheme \"" + url.scheme + "\" (want https or http)");
  }
  std::string_view rest = server.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  const auto path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  if (path_start != std::string_view::npos) {
    std::string_view path = rest.substr(path_start);
    while (!path.empty() && path.back() == '/') {
      path.remove_suffix(1);
    }
    url.base_path = std::string(path);
  }
  if (authority.find('@') != std::string_view::npos) {
    return server_error(server, "user information in the URL is not supported");
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return server_error(server, "unclosed '[' in the host");
    }
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return server_error(server, "unexpected text after the IPv6 address");
      }
      port = after.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    url.host = std::string(authority.substr(0, colon));
    port = authority.substr(colon + 1);
  } else {
    url.host = std::string(authority);
  }
  if (url.host.empty()) {
    return server_error(server, "no host");
  }
  if (port.empty()) {
    url.port = url.scheme == "https" ? 443 : 80;
  } else {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return server_error(server, "invalid port \"" + std::string(port) + "\"");
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

Getenv process_getenv() {
  return [](const std::string& name) -> std::optional<std::string> {
    // Read once at startup, before threads start; getenv is safe then.
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

Expected<Config, ConfigError> load_config(const ConfigLoadingRules& rules) {
  if (!rules.kubeconfig.empty()) {
    return load_kubeconfig(rules.kubeconfig, rules.context);
  }
  const auto get = [&rules](const std::string& name) {
    return rules.getenv ? rules.getenv(name).value_or("") : std::string();
  };
  if (const std::string list = get("KUBECONFIG"); !list.empty()) {
    std::string chosen;
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t end = std::min(list.find(':', start), list.size());
      const std::string entry = list.substr(start, end - start);
      start = end + 1;
      if (entry.empty()) {
        continue;
      }
      if (chosen.empty()) {
        chosen = entry;  // reported as missing if no entry exists
      }
      if (file_exists(entry)) {
        chosen = entry;
        break;
      }
    }
    if (!chosen.empty()) {
      return load_kubeconfig(chosen, rules.context);
    }
  }
  if (!get("KUBERNETES_SERVICE_HOST").empty()) {
    return load_in_cluster_config(rules.getenv, rules.in_cluster);
  }
  if (const std::string home = get("HOME"); !home.empty()) {
    const std::string path = (std::filesystem::path(home) / ".kube" / "config").string();
    if (file_exists(path)) {
      return load_kubeconfig(path, rules.context);
    }
  }
  return Unexpected(
      ConfigError{"no kubeconfig: set --kubeconfig or $KUBECONFIG, or run in a cluster"});
}

}  // namespace korder::kclient
