#include "devcluster.h"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "bootstrap.h"
#include "korder/api/time.h"
#include "tls.h"
#include "webhook_admission.h"

namespace korder::devcluster {
namespace {

std::string url(std::string_view scheme, std::uint16_t port) {
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port);
}

Expected<void, std::string> write_file(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << text;
    if (!out) {
      return Unexpected("cannot write " + temp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    return Unexpected("cannot write " + path + ": " + ec.message());
  }
  return {};
}

ApiHandlerConfig api_config(const DevClusterOptions& options) {
  ApiHandlerConfig config;
  config.bookmark_interval = options.bookmark_interval;
  config.default_watch_timeout = options.default_watch_timeout;
  config.watch_queue_limit = options.watch_queue_limit;
  return config;
}

}  // namespace

DevCluster::DevCluster(DevClusterOptions options)
    : options_(std::move(options)),
      store_(options_.history),
      registry_(store_, catalog_, clock_, std::random_device{}()),
      api_(registry_, api_config(options_)),
      authenticator_(registry_, std::random_device{}()),
      access_(api_, registry_, authenticator_, options_.audit_log_path.empty() ? nullptr : &audit_,
              options_.authorization_mode),
      admin_(store_),
      gc_(ioc_, registry_),
      scheduler_(ioc_, registry_),
      kubelet_(ioc_, registry_, options_.kubelet_delay) {}

DevCluster::~DevCluster() { stop(); }

Expected<void, std::string> DevCluster::start() {
  auto services = parse_webhook_service_map(options_.webhook_service_map);
  if (!services) {
    return Unexpected(services.error());
  }
  if (!options_.audit_log_path.empty()) {
    if (auto opened = audit_.open(options_.audit_log_path); !opened) {
      return opened;
    }
  }
  webhooks_ = std::make_unique<WebhookAdmission>(store_, std::move(*services));
  registry_.set_admission(webhooks_.get());
  work_.emplace(net::make_work_guard(ioc_));
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
  }
  started_ = true;
  if (auto created = create_startup_objects(); !created) {
    return created;
  }
  gc_.start();
  // The simulated scheduler and kubelets, and the fault-injection controls, are always on.
  scheduler_.start();
  kubelet_.start();
  api_.set_interceptor(faults_.interceptor());
  AdminControls controls;
  controls.evict = [this](std::string ns, std::string name) {
    return kubelet_.evict(std::move(ns), std::move(name));
  };
  controls.restart = [this](bool keep_state) { return restart(keep_state); };
  add_fault_routes(admin_, faults_, std::move(controls));
  admin_.add_route("GET", "/admin/audit", [this](const HttpRequest&) -> Awaitable<HttpResponse> {
    if (options_.audit_log_path.empty()) {
      ApiError off;
      off.code = 404;
      off.reason = "NotFound";
      off.message = "the audit log is off: start korder-devcluster with --audit-log-path FILE";
      co_return off.to_response();
    }
    HttpResponse response;
    response.content_type = "application/x-ndjson";
    response.body = audit_.json_lines();
    co_return response;
  });

  HttpServerConfig http_config;
  http_config.port = options_.port;
  http_ = std::make_unique<HttpServer>(ioc_, access_, http_config);
  auto http_port = http_->listen();
  if (!http_port) {
    return Unexpected(http_port.error());
  }
  endpoints_.http_url = url("http", *http_port);

  if (options_.https_port) {
    auto bundle =
        make_serving_certificate("korder-devcluster-ca", {"localhost"}, {"127.0.0.1"}, 365);
    if (!bundle) {
      return Unexpected("creating the serving certificate: " + bundle.error());
    }
    auto tls = make_tls_context(bundle->cert_pem, bundle->key_pem);
    if (!tls) {
      return Unexpected(tls.error());
    }
    endpoints_.ca_pem = bundle->ca_pem;
    HttpServerConfig https_config;
    https_config.port = *options_.https_port;
    https_config.tls = *tls;
    https_ = std::make_unique<HttpServer>(ioc_, access_, https_config);
    auto https_port = https_->listen();
    if (!https_port) {
      return Unexpected(https_port.error());
    }
    endpoints_.https_url = url("https", *https_port);
  }
  if (options_.admin_port) {
    HttpServerConfig admin_config;
    admin_config.port = *options_.admin_port;
    admin_server_ = std::make_unique<HttpServer>(ioc_, admin_, admin_config);
    auto admin_port = admin_server_->listen();
    if (!admin_port) {
      return Unexpected(admin_port.error());
    }
    endpoints_.admin_url = url("http", *admin_port);
  }
  http_->start();
  if (https_) {
    https_->start();
  }
  if (admin_server_) {
    admin_server_->start();
  }
  return write_kubeconfig();
}

void DevCluster::stop() {
  if (!started_ || stopped_) {
    return;
  }
  stopped_ = true;
  gc_.stop();
  scheduler_.stop();
  kubelet_.stop();
  faults_.clear();
  for (auto* server : {http_.get(), https_.get(), admin_server_.get()}) {
    if (server != nullptr) {
      server->stop();
    }
  }
  work_.reset();
  // Open watch streams and keep-alive connections were closed above; give their coroutines a
  // moment to unwind, then stop whatever is left.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!ioc_.stopped() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ioc_.stop();
  for (auto& thread : threads_) {
    thread.join();
  }
  threads_.clear();
}

Expected<std::vector<JsonDocument>, std::string> DevCluster::startup_nodes() const {
  const std::string now = api::format_rfc3339(clock_.now());
  std::vector<JsonDocument> nodes;
  if (!options_.nodes_file.empty()) {
    auto loaded = load_nodes_file(options_.nodes_file, now);
    if (!loaded) {
      return Unexpected(loaded.error());
    }
    nodes = std::move(*loaded);
  } else {
    int index = 0;
    for (const auto& spec : default_nodes(options_.node_count)) {
      nodes.push_back(node_object(spec, index++, now));
    }
  }
  return nodes;
}

Expected<void, std::string> DevCluster::create_startup_objects() {
  auto nodes = startup_nodes();
  if (!nodes) {
    return Unexpected(nodes.error());
  }
  std::string error = net::co_spawn(ioc_, create_all(std::move(*nodes)), net::use_future).get();
  if (!error.empty()) {
    return Unexpected(error);
  }
  return {};
}

Awaitable<std::string> DevCluster::create_all(std::vector<JsonDocument> nodes) {
  ResourcePtr namespaces = catalog_.find("", "v1", "namespaces");
  const WriteOptions options;
  const std::string no_namespace;
  for (const auto& name : bootstrap_namespaces()) {
    JsonDocument doc(rapidjson::kObjectType);
    set_string(doc, "apiVersion", "v1", doc.GetAllocator());
    set_string(doc, "kind", "Namespace", doc.GetAllocator());
    set_string(ensure_object(doc, "metadata", doc.GetAllocator()), "name", name,
               doc.GetAllocator());
    auto created = co_await registry_.create(*namespaces, no_namespace, std::move(doc), options);
    if (!created) {
      co_return "creating namespace " + name + ": " + created.error().message;
    }
  }
  ResourcePtr node_info = catalog_.find("", "v1", "nodes");
  for (auto& node : nodes) {
    auto created = co_await registry_.create(*node_info, no_namespace, std::move(node), options);
    if (!created) {
      co_return "creating node: " + created.error().message;
    }
  }
  co_return std::string();
}

Awaitable<std::string> DevCluster::restart(bool keep_state) {
  // As a restarted kube-apiserver: every client connection (watches included) is gone. The
  // admin connection carrying this request is on its own server and stays.
  for (auto* server : {http_.get(), https_.get()}) {
    if (server != nullptr) {
      server->close_connections();
    }
  }
  store_.drop_watches();
  if (!keep_state) {
    // A new etcd: every object is lost, CRDs included; the startup objects come back.
    wipe_store(store_, catalog_);
    auto nodes = startup_nodes();
    if (!nodes) {
      co_return nodes.error();
    }
    std::string error = co_await create_all(std::move(*nodes));
    if (!error.empty()) {
      co_return error;
    }
  }
  // Clients must relist: no resourceVersion from before the restart can be watched from.
  store_.compact();
  co_return std::string();
}

Expected<void, std::string> DevCluster::write_kubeconfig() {
  if (options_.kubeconfig_out.empty()) {
    return {};
  }
  const std::filesystem::path path = std::filesystem::absolute(options_.kubeconfig_out);
  endpoints_.kubeconfig = path.string();
  std::string cluster =
      "    server: " + (https_ ? endpoints_.https_url : endpoints_.http_url) + "\n";
  if (https_) {
    endpoints_.ca_file = path.string() + ".ca.crt";
    if (auto written = write_file(endpoints_.ca_file, endpoints_.ca_pem); !written) {
      return written;
    }
    cluster += "    certificate-authority: " + endpoints_.ca_file + "\n";
  }
  const std::string text =
      "apiVersion: v1\n"
      "kind: Config\n"
      "clusters:\n"
      "- name: korder-dev\n"
      "  cluster:\n" +
      cluster +
      "contexts:\n"
      "- name: korder-dev\n"
      "  context:\n"
      "    cluster: korder-dev\n"
      "    user: korder-dev-admin\n"
      "    namespace: default\n"
      "current-context: korder-dev\n"
      "preferences: {}\n"
      "users:\n"
      "- name: korder-dev-admin\n"
      "  user:\n"
      // The admin token: the user korder-dev-admin in system:masters (authn.h).
      "    token: " +
      std::string(kAdminToken) + "\n";
  return write_file(path.string(), text);
}

}  // namespace korder::devcluster
