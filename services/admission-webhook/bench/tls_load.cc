// korder-tls-load: the load client of the admission webhook benchmark (bench/README.md).
//
// Keeps N keep-alive HTTPS/1.1 connections busy with one POST each at a time (a closed loop, as
// the API server's webhook calls are), on one thread with epoll and non-blocking OpenSSL, and
// records every request's latency as a raw sample: no coordinated-omission "correction" (stock
// wrk adds synthetic samples, which on a shared 2-core box inflates p99 by milliseconds). The
// connections and their TLS handshakes are made before the clock starts, so only the steady
// state is measured.
//
//   korder-tls-load --port 9443 --path /mutate-pods --body review.json --connections 16
//       --duration 8s --warmup 1s --expect '"allowed":true'
//   korder-tls-load ... --connections 1 --requests 100      # exactly 100 requests, in sequence
//
// Prints one line of key=value pairs: target, conns, requests, seconds, rps, p50_us, p90_us,
// p99_us, max_us, errors, tls (protocol/cipher of the first connection). Exits non-zero when a
// connection fails or any answer is not a 200 that contains --expect.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Config {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/";
  std::string body;
  std::string content_type = "application/json";
  std::string expect;
  std::string label;
  int connections = 1;
  double duration_s = 5;
  double warmup_s = 1;
  long requests = 0;  // > 0: exactly this many (then duration and warm-up are ignored)
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "korder-tls-load: %s\n", message.c_str());
  std::exit(2);
}

// "8s", "500ms", "2" (seconds).
double parse_seconds(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  const std::string unit = end ? end : "";
  if (end == text.c_str() || value < 0) {
    die(flag + ": invalid duration \"" + text + "\"");
  }
  if (unit.empty() || unit == "s") {
    return value;
  }
  if (unit == "ms") {
    return value / 1000;
  }
  die(flag + ": invalid duration \"" + text + "\" (want e.g. 8s or 500ms)");
}

long parse_count(const std::string& flag, const std::string& text, long min) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < min) {
    die(flag + ": want an integer >= " + std::to_string(min) + ", got \"" + text + "\"");
  }
  return value;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    die("--body " + path + ": cannot be read");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Config parse_args(int argc, char** argv) {
  Config config;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    if (const auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      die(arg + ": missing value");
    }
    if (arg == "--host") {
      config.host = value;
    } else if (arg == "--port") {
      config.port = static_cast<int>(parse_count(arg, value, 1));
    } else if (arg == "--path") {
      config.path = value;
    } else if (arg == "--body") {
      config.body = read_file(value);
    } else if (arg == "--content-type") {
      config.content_type = value;
    } else if (arg == "--expect") {
      config.expect = value;
    } else if (arg == "--label") {
      config.label = value;
    } else if (arg == "--connections") {
      config.connections = static_cast<int>(parse_count(arg, value, 1));
    } else if (arg == "--duration") {
      config.duration_s = parse_seconds(arg, value);
    } else if (arg == "--warmup") {
      config.warmup_s = parse_seconds(arg, value);
    } else if (arg == "--requests") {
      config.requests = parse_count(arg, value, 1);
    } else {
      die("unknown flag " + arg);
    }
  }
  if (config.port == 0) {
    die("--port is required");
  }
  return config;
}

// One keep-alive connection: a request in flight, its answer being read.
struct Connection {
  int fd = -1;
  SSL* ssl = nullptr;
  std::size_t written = 0;  // of the request
  bool writing = true;
  std::string in;  // bytes of the current answer
  SteadyClock::time_point sent;
};

int connect_blocking(const Config& config) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(config.port));
  if (fd < 0 || ::inet_pton(AF_INET, config.host.c_str(), &addr.sin_addr) != 1) {
    die("--host " + config.host + ": want an IPv4 address");
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    die("connecting to " + config.host + ":" + std::to_string(config.port) + ": " +
        std::strerror(errno));
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// The answer in `in` if complete: its status and body length; nullopt while incomplete.
struct Answer {
  int status = 0;
  std::size_t total = 0;  // header + body bytes
  std::string_view body;
};

std::optional<Answer> parse_answer(const std::string& in) {
  const auto end = in.find("\r\n\r\n");
  if (end == std::string::npos) {
    return std::nullopt;
  }
  const std::string_view head(in.data(), end);
  Answer answer;
  if (head.size() < 12 || !head.starts_with("HTTP/1.1 ")) {
    die("not an HTTP/1.1 answer: " + std::string(head.substr(0, 40)));
  }
  answer.status = std::atoi(std::string(head.substr(9, 3)).c_str());
  std::size_t length = 0;
  bool has_length = false;
  std::size_t pos = head.find("\r\n");
  while (pos != std::string_view::npos && pos < head.size()) {
    const std::size_t next = head.find("\r\n", pos + 2);
    std::string line(head.substr(
        pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2));
    std::transform(line.begin(), line.end(), line.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (line.starts_with("content-length:")) {
      length = static_cast<std::size_t>(std::strtoull(line.c_str() + 15, nullptr, 10));
      has_length = true;
    } else if (line.starts_with("connection:") && line.find("close") != std::string::npos) {
      die("the server closes the connection (keep-alive expected)");
    }
    pos = next;
  }
  if (!has_length) {
    die("answer without Content-Length (chunked answers are not supported)");
  }
  if (in.size() < end + 4 + length) {
    return std::nullopt;
  }
  answer.total = end + 4 + length;
  answer.body = std::string_view(in).substr(end + 4, length);
  return answer;
}

std::string ssl_error() {
  char text[256];
  ERR_error_string_n(ERR_get_error(), text, sizeof(text));
  return text;
}

class Load {
 public:
  explicit Load(Config config) : config_(std::move(config)) {
    request_ = "POST " + config_.path + " HTTP/1.1\r\nHost: " + config_.host +
               "\r\nContent-Type: " + config_.content_type +
               "\r\nContent-Length: " + std::to_string(config_.body.size()) +
               "\r\nConnection: keep-alive\r\n\r\n" + config_.body;
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // loopback benchmark: no identity
    epoll_ = ::epoll_create1(0);
  }

  // Connects and handshakes every connection (blocking, before the measurement).
  void connect_all() {
    for (int i = 0; i < config_.connections; ++i) {
      Connection c;
      c.fd = connect_blocking(config_);
      c.ssl = SSL_new(ctx_);
      SSL_set_fd(c.ssl, c.fd);
      if (SSL_connect(c.ssl) != 1) {
        die("TLS handshake: " + ssl_error());
      }
      if (i == 0) {
        tls_ = std::string(SSL_get_version(c.ssl)) + "/" + SSL_get_cipher_name(c.ssl);
      }
      ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
      connections_.push_back(std::move(c));
    }
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      epoll_event event{};
      event.events = EPOLLIN | EPOLLOUT | EPOLLET;
      event.data.u64 = i;
      ::epoll_ctl(epoll_, EPOLL_CTL_ADD, connections_[i].fd, &event);
    }
  }

  void run() {
    start_ = SteadyClock::now();
    const auto warm = std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(config_.requests > 0 ? 0 : config_.warmup_s));
    const auto total = std::chrono::duration_cast<SteadyClock::duration>(
        std::chrono::duration<double>(config_.warmup_s + config_.duration_s));
    measure_from_ = start_ + warm;
    end_ = config_.requests > 0 ? SteadyClock::time_point::max() : start_ + total;
    samples_.reserve(config_.requests > 0 ? static_cast<std::size_t>(config_.requests) : 1 << 20);
    const int parallel =
        config_.requests > 0
            ? static_cast<int>(std::min<long>(config_.requests, config_.connections))
            : config_.connections;
    for (int i = 0; i < parallel; ++i) {
      start_request(connections_[static_cast<std::size_t>(i)]);
      step(connections_[static_cast<std::size_t>(i)]);
    }
    std::vector<epoll_event> events(connections_.size());
    while (!done()) {
      const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
      for (int i = 0; i < n; ++i) {
        step(connections_[events[static_cast<std::size_t>(i)].data.u64]);
      }
    }
    measured_end_ = std::min(SteadyClock::now(), end_);
  }

  int report() {
    std::sort(samples_.begin(), samples_.end());
    const double seconds = std::chrono::duration<double>(measured_end_ - measure_from_).count();
    const auto pct = [&](double p) -> double {
      if (samples_.empty()) {
        return 0;
      }
      const auto index = static_cast<std::size_t>(p * static_cast<double>(samples_.size() - 1));
      return static_cast<double>(samples_[index]) / 1000.0;
    };
    std::printf(
        "target=%s conns=%d requests=%zu seconds=%.2f rps=%.0f p50_us=%.1f p90_us=%.1f "
        "p99_us=%.1f max_us=%.1f errors=%ld tls=%s\n",
        config_.label.empty() ? config_.path.c_str() : config_.label.c_str(), config_.connections,
        samples_.size(), seconds, seconds > 0 ? static_cast<double>(samples_.size()) / seconds : 0,
        pct(0.50), pct(0.90), pct(0.99), samples_.empty() ? 0.0 : pct(1.0), errors_, tls_.c_str());
    if (errors_ > 0) {
      std::fprintf(stderr, "korder-tls-load: %ld bad answer(s); first: %s\n", errors_,
                   first_error_.c_str());
      return 1;
    }
    return 0;
  }

 private:
  bool done() const {
    if (config_.requests > 0) {
      return completed_ >= config_.requests;
    }
    return SteadyClock::now() >= end_ && in_flight_ == 0;
  }

  void start_request(Connection& c) {
    c.written = 0;
    c.writing = true;
    c.in.clear();
    c.sent = SteadyClock::now();
    ++in_flight_;
    ++started_;
  }

  // Drives one connection as far as it goes without blocking.
  void step(Connection& c) {
    for (;;) {
      if (c.writing) {
        if (!write_some(c)) {
          return;
        }
        continue;
      }
      char buffer[16 * 1024];
      const int n = SSL_read(c.ssl, buffer, sizeof(buffer));
      if (n <= 0) {
        const int error = SSL_get_error(c.ssl, n);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
          return;
        }
        die("reading an answer: the connection ended (" + ssl_error() + ")");
      }
      c.in.append(buffer, static_cast<std::size_t>(n));
      const auto answer = parse_answer(c.in);
      if (!answer) {
        continue;
      }
      if (answer->total != c.in.size()) {
        die("the server sent more than one answer");
      }
      finish(c, *answer);
      if (!next_request()) {
        return;
      }
      start_request(c);
    }
  }

  // Writes what it can of the request; false when the socket is full.
  bool write_some(Connection& c) {
    const int n = SSL_write(c.ssl, request_.data() + c.written,
                            static_cast<int>(request_.size() - c.written));
    if (n <= 0) {
      const int error = SSL_get_error(c.ssl, n);
      if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) {
        return false;
      }
      die("writing a request: " + ssl_error());
    }
    c.written += static_cast<std::size_t>(n);
    if (c.written == request_.size()) {
      c.writing = false;
    }
    return true;
  }

  void finish(Connection& c, const Answer& answer) {
    const auto now = SteadyClock::now();
    --in_flight_;
    ++completed_;
    const bool ok =
        answer.status == 200 &&
        (config_.expect.empty() || answer.body.find(config_.expect) != std::string_view::npos);
    if (!ok) {
      if (errors_++ == 0) {
        first_error_ = "HTTP " + std::to_string(answer.status) + ": " +
                       std::string(answer.body.substr(0, 300));
      }
    }
    if (c.sent >= measure_from_ && now <= end_) {
      samples_.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - c.sent).count());
    }
  }

  bool next_request() const {
    if (config_.requests > 0) {
      return started_ < config_.requests;
    }
    return SteadyClock::now() < end_;
  }

  Config config_;
  std::string request_;
  SSL_CTX* ctx_ = nullptr;
  int epoll_ = -1;
  std::vector<Connection> connections_;
  std::string tls_;
  std::vector<std::int64_t> samples_;
  SteadyClock::time_point start_, measure_from_, end_, measured_end_;
  long in_flight_ = 0;
  long started_ = 0;
  long completed_ = 0;
  long errors_ = 0;
  std::string first_error_;
};

}  // namespace

int main(int argc, char** argv) {
  Load load(parse_args(argc, argv));
  load.connect_all();
  load.run();
  return load.report();
}
