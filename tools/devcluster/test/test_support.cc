#include "test_support.h"  // first: brings asio.h before any Boost header

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace korder::devcluster::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

/// Runs `ioc` until `done` or the timeout; false on timeout.
bool run_until(net::io_context& ioc, const bool& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  ioc.restart();
  while (!done && std::chrono::steady_clock::now() < deadline) {
    ioc.run_one_for(std::chrono::milliseconds(20));
    if (ioc.stopped()) {
      ioc.restart();
    }
  }
  return done;
}

std::string lower(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

}  // namespace

// ---- TempDir -----------------------------------------------------------------------------

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "devcluster-test-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

// ---- Response ----------------------------------------------------------------------------

JsonDocument Response::json() const { return parse(body); }

JsonDocument parse(const std::string& text) {
  JsonDocument doc;
  if (!api::parse_json(text, doc)) {
    doc.SetObject();
  }
  return doc;
}

// ---- HttpClient --------------------------------------------------------------------------

struct HttpClient::Impl {
  explicit Impl(std::uint16_t p) : port(p) {}
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  std::uint16_t port;

  void connect() {
    stream.emplace(ioc);
    bool done = false;
    beast::error_code ec;
    stream->async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                          [&](beast::error_code e) { ec = e, done = true; });
    if (!run_until(ioc, done, std::chrono::seconds(5)) || ec) {
      throw std::runtime_error("connect failed: " + ec.message());
    }
    buffer.clear();
  }

  std::optional<Response> attempt(http::request<http::string_body>& req) {
    bool done = false;
    beast::error_code ec;
    stream->expires_after(std::chrono::seconds(30));
    http::async_write(*stream, req, [&](beast::error_code e, std::size_t) { ec = e, done = true; });
    if (!run_until(ioc, done, std::chrono::seconds(30)) || ec) {
      return std::nullopt;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    done = false;
    http::async_read(*stream, buffer, parser,
                     [&](beast::error_code e, std::size_t) { ec = e, done = true; });
    if (!run_until(ioc, done, std::chrono::seconds(30)) || ec) {
      return std::nullopt;
    }
    auto& res = parser.get();
    Response out;
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) {
      std::string name = lower(std::string(field.name_string()));
      auto& slot = out.headers[name];
      slot += (slot.empty() ? "" : "\n") + std::string(field.value());
    }
    if (!res.keep_alive()) {
      stream.reset();
    }
    return out;
  }
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>(port)) {}
HttpClient::~HttpClient() = default;

Response HttpClient::request(const std::string& method, const std::string& target,
                             const std::string& body, const std::string& content_type,
                             const std::string& accept) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::accept, accept);
  if (!bearer_token_.empty()) {
    req.set(http::field::authorization, "Bearer " + bearer_token_);
  }
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.set(http::field::content_type, content_type);
    req.body() = body;
  }
  req.keep_alive(true);
  req.prepare_payload();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->stream) {
      impl_->connect();
    }
    if (auto response = impl_->attempt(req)) {
      return *response;
    }
    impl_->stream.reset();  // a stale keep-alive connection: reconnect once
  }
  throw std::runtime_error("request failed: " + method + " " + target);
}

// ---- WatchStream -------------------------------------------------------------------------

struct WatchStream::Impl {
  net::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  std::string data;
  bool ended = false;
  int status = 0;
  // The parser keeps a reference to its chunk callback, so it lives here.
  std::function<std::size_t(std::uint64_t, beast::string_view, beast::error_code&)> on_chunk;
};

WatchStream::WatchStream(std::uint16_t port, const std::string& target, const std::string& accept,
                         const std::string& bearer_token)
    : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  bool done = false;
  beast::error_code ec;
  s.stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                         [&](beast::error_code e) { ec = e, done = true; });
  if (!run_until(s.ioc, done, std::chrono::seconds(5)) || ec) {
    throw std::runtime_error("watch connect failed");
  }
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::accept, accept);
  if (!bearer_token.empty()) {
    req.set(http::field::authorization, "Bearer " + bearer_token);
  }
  done = false;
  http::async_write(s.stream, req, [&](beast::error_code e, std::size_t) { ec = e, done = true; });
  if (!run_until(s.ioc, done, std::chrono::seconds(5)) || ec) {
    throw std::runtime_error("watch request failed");
  }
  s.parser.body_limit(boost::none);
  s.on_chunk = [this](std::uint64_t, beast::string_view body, beast::error_code&) {
    impl_->data.append(body.data(), body.size());
    return body.size();
  };
  s.parser.on_chunk_body(s.on_chunk);
  done = false;
  http::async_read_header(s.stream, s.buffer, s.parser,
                          [&](beast::error_code e, std::size_t) { ec = e, done = true; });
  if (!run_until(s.ioc, done, std::chrono::seconds(5)) || ec) {
    throw std::runtime_error("watch header failed");
  }
  s.status = static_cast<int>(s.parser.get().result_int());
}

WatchStream::~WatchStream() {
  beast::error_code ignored;
  impl_->stream.socket().close(ignored);
}

int WatchStream::status() const { return impl_->status; }
bool WatchStream::ended() const { return impl_->ended; }

std::optional<std::string> WatchStream::next_line(std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::size_t newline = s.data.find('\n');
    if (newline != std::string::npos) {
      std::string line = s.data.substr(0, newline);
      s.data.erase(0, newline + 1);
      return line;
    }
    if (s.ended || s.parser.is_done()) {
      s.ended = true;
      return std::nullopt;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return std::nullopt;
    }
    bool done = false;
    beast::error_code ec;
    http::async_read_some(s.stream, s.buffer, s.parser,
                          [&](beast::error_code e, std::size_t) { ec = e, done = true; });
    if (!run_until(s.ioc, done,
                   std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now))) {
      s.stream.cancel();
      bool cancelled = false;
      (void)cancelled;
      run_until(s.ioc, done, std::chrono::seconds(1));
      if (s.data.find('\n') == std::string::npos) {
        return std::nullopt;
      }
      continue;
    }
    if (ec) {
      s.ended = true;
    }
  }
}

std::optional<JsonDocument> WatchStream::next_event(std::chrono::milliseconds timeout) {
  auto line = next_line(timeout);
  if (!line) {
    return std::nullopt;
  }
  return parse(*line);
}

// ---- TestCluster -------------------------------------------------------------------------

TestCluster::TestCluster(DevClusterOptions options) {
  options.https_port = 0;
  options.admin_port = 0;
  options.kubeconfig_out = dir_.path() + "/kubeconfig";
  cluster_ = std::make_unique<DevCluster>(std::move(options));
  if (auto started = cluster_->start(); !started) {
    throw std::runtime_error("devcluster failed to start: " + started.error());
  }
  auto port_of = [](const std::string& url) {
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
  };
  port_ = port_of(cluster_->endpoints().http_url);
  admin_port_ = port_of(cluster_->endpoints().admin_url);
  client_ = std::make_unique<HttpClient>(port_);
}

TestCluster::~TestCluster() {
  client_.reset();
  cluster_->stop();
}

Response TestCluster::admin(const std::string& path, const std::string& body) {
  HttpClient admin_client(admin_port_);
  return admin_client.post(path, body);
}

// ---- subprocesses ------------------------------------------------------------------------

CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          std::chrono::milliseconds timeout, const std::string& input) {
  int out_pipe[2];
  int err_pipe[2];
  int in_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0 || pipe(in_pipe) != 0) {
    throw std::runtime_error("pipe failed");
  }
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);  // its own process group, so the timeout kills kubectl's children too
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      close(fd);
    }
    for (const auto& [key, value] : env) {
      setenv(key.c_str(), value.c_str(), 1);
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (!input.empty()) {
    (void)!write(in_pipe[1], input.data(), input.size());
  }
  close(in_pipe[1]);
  CommandResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true;
  bool err_open = true;
  bool killed = false;
  while (out_open || err_open) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline && !killed) {
      kill(-pid, SIGKILL);
      killed = true;
    }
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    poll(fds, 2, 50);
    char buffer[65536];
    for (int i = 0; i < 2; ++i) {
      bool& open = i == 0 ? out_open : err_open;
      if (open && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
        if (n <= 0) {
          open = false;
        } else {
          (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
        }
      }
    }
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = killed ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return result;
}

BackgroundCommand::BackgroundCommand(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env,
                                     const std::string& output_file)
    : output_file_(output_file) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    const int fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    for (const auto& [key, value] : env) {
      setenv(key.c_str(), value.c_str(), 1);
    }
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  pid_ = pid;
}

BackgroundCommand::~BackgroundCommand() {
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::string BackgroundCommand::output() const { return read_file(output_file_); }

std::string source_dir() { return KORDER_SOURCE_DIR; }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace korder::devcluster::testing
