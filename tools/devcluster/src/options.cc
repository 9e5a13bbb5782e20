#include "options.h"

#include <gflags/gflags.h>

#include <vector>

#include "korder/api/duration.h"
#include "webhook_client.h"

DEFINE_int32(port, 0, "plain HTTP API port on 127.0.0.1 (0 picks a free port)");
DEFINE_int32(https_port, -1, "HTTPS API port on 127.0.0.1 (0 picks; off when unset)");
DEFINE_int32(admin_port, -1, "admin endpoint port on 127.0.0.1 (0 picks; off when unset)");
DEFINE_string(kubeconfig_out, "", "write a kubeconfig for this cluster here once ready");
DEFINE_string(nodes, "", "YAML list of nodes to create at startup");
DEFINE_int32(node_count, -1, "create this many generated nodes (default: 4 heterogeneous nodes)");
DEFINE_int32(history, 10000, "watch events kept for resuming; older resourceVersions get 410");
DEFINE_int32(io_threads, 2, "threads running the io_context");
DEFINE_string(kubelet_delay, "500ms", "delay before a bound pod runs (kubelet simulation)");
DEFINE_string(watch_bookmark_interval, "30s", "interval between watch bookmarks");
DEFINE_string(authorization_mode, "AlwaysAllow", "AlwaysAllow or RBAC");
DEFINE_string(audit_log_path, "", "append every API request to this file as a JSON line");

namespace korder::devcluster {
namespace {

constexpr std::string_view kServiceMapFlag = "webhook-service-map";

bool flag_named(std::string_view arg, std::string_view name) {
  std::string normalized(arg);
  for (char& c : normalized) {
    c = c == '_' ? '-' : c;
  }
  return normalized == "--" + std::string(name) || normalized == "-" + std::string(name);
}

Expected<std::chrono::milliseconds, std::string> duration_flag(const std::string& name,
                                                               const std::string& value) {
  auto parsed = api::Duration::parse(value);
  if (!parsed || parsed->count() < 0) {
    return Unexpected("--" + name + ": invalid duration \"" + value + "\"");
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(parsed->nanoseconds());
}

Expected<std::optional<std::uint16_t>, std::string> port_flag(const std::string& name, int value,
                                                              bool optional) {
  if (optional && value == -1) {
    return std::optional<std::uint16_t>();
  }
  if (value < 0 || value > 65535) {
    return Unexpected("--" + name + ": port must be between 0 and 65535, got " +
                      std::to_string(value));
  }
  return std::optional<std::uint16_t>(static_cast<std::uint16_t>(value));
}

}  // namespace

std::string usage() {
  return R"(korder-devcluster: a development Kubernetes API server for korder's tests and demo.

Usage: korder-devcluster [flags]

  --port P                      plain HTTP API on 127.0.0.1:P (0 picks a free port; default 0)
  --https-port P                also serve HTTPS on 127.0.0.1:P with a self-signed CA (0 picks);
                                the CA is written beside the kubeconfig
  --kubeconfig-out FILE         write a kubeconfig once ready (points at HTTPS when enabled)
  --nodes FILE                  YAML list of nodes ({name, labels, allocatable, taints,
                                unschedulable} or whole Node objects)
  --node-count N                create N generated nodes instead of the default four
  --webhook-service-map NS/NAME=HOST:PORT
                                dial HOST:PORT for webhook service NS/NAME (repeatable)
  --history N                   watch events kept for resuming (default 10000); older
                                resourceVersions get 410 Gone
  --kubelet-delay D             delay before a bound pod runs (default 500ms)
  --admin-port P                admin endpoint on 127.0.0.1:P (0 picks): POST /admin/drop-watches,
                                /admin/compact, /admin/faults, /admin/stall,
                                /admin/evict, /admin/restart; GET /admin/audit
  --watch-bookmark-interval D   interval between watch bookmarks (default 30s)
  --authorization-mode MODE     AlwaysAllow (default: every request is served; a bearer token
                                that is not the admin's nor a minted one counts as anonymous) or
                                RBAC (unknown tokens get 401 Unauthorized; requests are
                                authorized from the stored Roles, ClusterRoles and bindings, 403
                                Forbidden otherwise; system:masters may do everything)
  --audit-log-path FILE         append every API request (user, verb, resource, subresource,
                                namespace, name, code) to FILE as JSON lines; GET /admin/audit
                                serves the same lines
  --io-threads N                threads serving requests (default 2)
  --help                        this text

Prints the URLs it serves on stdout, then "ready".
)";
}

Expected<CommandLine, std::string> parse_command_line(int argc, char** argv) {
  CommandLine out;
  std::vector<char*> rest;
  rest.push_back(argv[0]);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (flag_named(arg, "help") || arg == "-h") {
      out.help = true;
      return out;
    }
    const std::size_t eq = arg.find('=');
    if (flag_named(arg.substr(0, eq), kServiceMapFlag)) {
      if (eq != std::string_view::npos) {
        out.options.webhook_service_map.emplace_back(arg.substr(eq + 1));
      } else if (i + 1 < argc) {
        out.options.webhook_service_map.emplace_back(argv[++i]);
      } else {
        return Unexpected(std::string("--webhook-service-map needs a value NS/NAME=HOST:PORT"));
      }
      continue;
    }
    rest.push_back(argv[i]);
  }
  int rest_argc = static_cast<int>(rest.size());
  char** rest_argv = rest.data();
  gflags::SetUsageMessage("see --help");
  gflags::ParseCommandLineNonHelpFlags(&rest_argc, &rest_argv, true);
  if (rest_argc > 1) {
    return Unexpected("unexpected argument: " + std::string(rest_argv[1]));
  }
  if (auto services = parse_webhook_service_map(out.options.webhook_service_map); !services) {
    return Unexpected(services.error());
  }
  DevClusterOptions& o = out.options;
  auto port = port_flag("port", FLAGS_port, false);
  auto https = port_flag("https-port", FLAGS_https_port, true);
  auto admin = port_flag("admin-port", FLAGS_admin_port, true);
  for (auto* p : {&port, &https, &admin}) {
    if (!*p) {
      return Unexpected(p->error());
    }
  }
  o.port = **port;
  o.https_port = *https;
  o.admin_port = *admin;
  o.kubeconfig_out = FLAGS_kubeconfig_out;
  o.nodes_file = FLAGS_nodes;
  if (!o.nodes_file.empty() && FLAGS_node_count >= 0) {
    return Unexpected(std::string("--nodes and --node-count cannot be used together"));
  }
  o.node_count = FLAGS_node_count;
  if (FLAGS_history < 1) {
    return Unexpected("--history: must be at least 1, got " + std::to_string(FLAGS_history));
  }
  o.history = static_cast<std::size_t>(FLAGS_history);
  if (FLAGS_io_threads < 1 || FLAGS_io_threads > 64) {
    return Unexpected("--io-threads: must be between 1 and 64, got " +
                      std::to_string(FLAGS_io_threads));
  }
  o.io_threads = FLAGS_io_threads;
  auto delay = duration_flag("kubelet-delay", FLAGS_kubelet_delay);
  if (!delay) {
    return Unexpected(delay.error());
  }
  o.kubelet_delay = *delay;
  auto bookmarks = duration_flag("watch-bookmark-interval", FLAGS_watch_bookmark_interval);
  if (!bookmarks || bookmarks->count() == 0) {
    return Unexpected(std::string("--watch-bookmark-interval: must be a positive duration"));
  }
  o.bookmark_interval = *bookmarks;
  auto mode = parse_authorization_mode(FLAGS_authorization_mode);
  if (!mode) {
    return Unexpected("--authorization-mode: must be AlwaysAllow or RBAC, got \"" +
                      FLAGS_authorization_mode + "\"");
  }
  o.authorization_mode = *mode;
  o.audit_log_path = FLAGS_audit_log_path;
  return out;
}

}  // namespace korder::devcluster
