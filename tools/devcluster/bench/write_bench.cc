// Write throughput of the devcluster with 10,000 Tickets and 10,000 Pods stored and 10
// watchers on Tickets: creates (POST) and status patches (PATCH .../status) per second, with
// latency percentiles from raw samples.
//
// In-process (default): starts a devcluster in this process.
// Pinned (what the issue asks for):
//   taskset -c 0 korder-devcluster --port 18080 --io-threads 1 &
//   taskset -c 1 devcluster_bench --port 18080
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "devcluster.h"  // first: brings asio.h before any Boost header
#include "korder/api/yaml.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

/// A blocking keep-alive client.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    socket_.set_option(tcp::no_delay(true));
  }
  int request(http::verb verb, const std::string& target, const std::string& body,
              const std::string& content_type = "application/json") {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, content_type);
    req.body() = body;
    req.keep_alive(true);
    req.prepare_payload();
    http::write(socket_, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024 * 1024);
    http::read(socket_, buffer_, parser);
    return static_cast<int>(parser.get().result_int());
  }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

/// Reads a watch stream until told to stop, counting event lines.
class Watcher {
 public:
  Watcher(std::uint16_t port, const std::string& target) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    net::write(socket_, net::buffer(request));
    thread_ = std::thread([this] {
      // Counts `{"type":"` (each event starts with it); the tail of a read is kept so a
      // marker split across reads is still seen once.
      const std::string marker = R"({"type":")";
      std::string carry;
      char buffer[65536];
      boost::system::error_code ec;
      for (;;) {
        const std::size_t n = socket_.read_some(net::buffer(buffer), ec);
        if (ec) {
          return;
        }
        std::string data = carry + std::string(buffer, n);
        for (std::size_t at = data.find(marker); at != std::string::npos;
             at = data.find(marker, at + 1)) {
          ++lines_;
        }
        carry = data.size() >= marker.size() - 1 ? data.substr(data.size() - (marker.size() - 1))
                                                 : data;
      }
    });
  }
  ~Watcher() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    thread_.join();
  }
  long lines() const { return lines_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  std::thread thread_;
  std::atomic<long> lines_{0};
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string ticket(const std::string& name) {
  return R"({"apiVersion":"core.korder.dev/v1alpha1","kind":"Ticket","metadata":{"name":")" + name +
         R"(","labels":{"korder.dev/order":"bench"}},"spec":{"duration":"1h","resources":{"requests":{"cpu":"100m","memory":"64Mi"}},"nodeSelector":{"node-type":"compute"}}})";
}

// The pods name a scheduler that does not exist, so what is measured is the API server's write
// path alone: the simulated scheduler and kubelet would otherwise add a binding and status
// writes (or, for the pods that fit nowhere, an Unschedulable status and an Event) per pod.
std::string pod(const std::string& name) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"(","labels":{"app":"bench"}},"spec":{"schedulerName":"bench-none","containers":[{"name":"c","image":"registry.k8s.io/pause:3.10","resources":{"requests":{"cpu":"1m"}}}]}})";
}

struct Result {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int errors = 0;
};

/// Runs `total` operations over `connections` clients; op(client, i) returns the HTTP status.
template <typename Op>
Result run(std::uint16_t port, int connections, int total, Op op) {
  std::vector<std::vector<double>> samples(static_cast<std::size_t>(connections));
  std::atomic<int> next{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      Client client(port);
      for (int i = next++; i < total; i = next++) {
        const auto t0 = Clock::now();
        const int status = op(client, i);
        samples[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (status >= 300) {
          ++errors;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& s : samples) {
    all.insert(all.end(), s.begin(), s.end());
  }
  std::sort(all.begin(), all.end());
  Result r;
  r.per_second = total / seconds;
  r.p50_ms = all.empty() ? 0 : all[all.size() / 2];
  r.p99_ms = all.empty() ? 0 : all[all.size() * 99 / 100];
  r.errors = errors;
  return r;
}

void print(const char* what, const Result& r) {
  std::printf("%-44s %9.0f /s   p50 %6.2f ms   p99 %6.2f ms   errors %d\n", what, r.per_second,
              r.p50_ms, r.p99_ms, r.errors);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  int objects = 10000;
  int writes = 20000;
  int connections = 4;
  int watchers = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--port")
      port = value;
    else if (flag == "--objects")
      objects = value;
    else if (flag == "--writes")
      writes = value;
    else if (flag == "--connections")
      connections = value;
    else if (flag == "--watchers")
      watchers = value;
  }
  std::unique_ptr<korder::devcluster::DevCluster> local;
  if (port == 0) {
    korder::devcluster::DevClusterOptions options;
    options.history = 100000;
    options.watch_queue_limit = 100000;
    local = std::make_unique<korder::devcluster::DevCluster>(options);
    if (auto started = local->start(); !started) {
      std::fprintf(stderr, "devcluster: %s\n", started.error().c_str());
      return 1;
    }
    const std::string& url = local->endpoints().http_url;
    port = std::stoi(url.substr(url.rfind(':') + 1));
  }
  const auto p = static_cast<std::uint16_t>(port);
  {
    Client setup(p);
    for (const char* file : {"orders", "tickets", "quotas"}) {
      auto docs = korder::api::yaml_documents_to_json(read_file(
          std::string(KORDER_SOURCE_DIR) + "/deploy/crds/core.korder.dev_" + file + ".yaml"));
      for (const auto& json : *docs) {
        setup.request(http::verb::post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                      json);
      }
    }
  }
  const std::string tickets = "/apis/core.korder.dev/v1alpha1/namespaces/default/tickets";
  const std::string pods = "/api/v1/namespaces/default/pods";
  std::printf(
      "devcluster write benchmark: %d tickets + %d pods stored, %d watchers, %d connections\n",
      objects, objects, watchers, connections);
  print("seed: create tickets (POST)", run(p, connections, objects, [&](Client& c, int i) {
          return c.request(http::verb::post, tickets, ticket("seed-" + std::to_string(i)));
        }));
  print("seed: create pods (POST)", run(p, connections, objects, [&](Client& c, int i) {
          return c.request(http::verb::post, pods, pod("seed-" + std::to_string(i)));
        }));
  std::vector<std::unique_ptr<Watcher>> watching;
  for (int w = 0; w < watchers; ++w) {
    watching.push_back(std::make_unique<Watcher>(p, tickets + "?watch=true&resourceVersion=0"));
  }
  // Measure writes only once every watcher has received the current state.
  const auto synced_by = Clock::now() + std::chrono::seconds(60);
  for (auto& w : watching) {
    while (w->lines() < objects && Clock::now() < synced_by) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  long baseline = 0;
  for (auto& w : watching) {
    baseline += w->lines();
  }
  print("create tickets (POST), watched", run(p, connections, writes, [&](Client& c, int i) {
          return c.request(http::verb::post, tickets, ticket("t-" + std::to_string(i)));
        }));
  print("patch ticket status (merge), watched", run(p, connections, writes, [&](Client& c, int i) {
          return c.request(
              http::verb::patch, tickets + "/seed-" + std::to_string(i % objects) + "/status",
              R"({"status":{"phase":"Ready","nodeName":"n)" + std::to_string(i) + R"("}})",
              "application/merge-patch+json");
        }));
  print("create pods (POST)", run(p, connections, writes, [&](Client& c, int i) {
          return c.request(http::verb::post, pods, pod("p-" + std::to_string(i)));
        }));
  print("list 30,000 tickets (GET)",
        run(p, 1, 10, [&](Client& c, int) { return c.request(http::verb::get, tickets, ""); }));
  long seen = -baseline;
  for (auto& w : watching) {
    seen += w->lines();
  }
  std::printf("watch events delivered to %d watchers during the writes: %ld (expected %ld)\n",
              watchers, seen, static_cast<long>(watchers) * 2 * writes);
  watching.clear();
  if (local) {
    local->stop();
  }
  return 0;
}
