#pragma once

// Helpers for the devcluster's integration tests: an in-process cluster on free loopback
// ports, a small synchronous HTTP client, a watch-stream reader, temp directories and a
// subprocess runner (for the real kubectl).

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "devcluster.h"
#include "json_access.h"

namespace korder::devcluster::testing {

/// A fresh directory under /tmp, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// One HTTP response.
struct Response {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined by "\n"
  /// The body parsed as JSON (an empty document when it is not JSON).
  JsonDocument json() const;
};

/// A keep-alive HTTP/1.1 client for 127.0.0.1:port (plain HTTP). Not thread-safe.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();
  Response request(const std::string& method, const std::string& target,
                   const std::string& body = "",
                   const std::string& content_type = "application/json",
                   const std::string& accept = "application/json");
  Response get(const std::string& target, const std::string& accept = "application/json") {
    return request("GET", target, "", "application/json", accept);
  }
  Response post(const std::string& target, const std::string& body) {
    return request("POST", target, body);
  }
  Response put(const std::string& target, const std::string& body) {
    return request("PUT", target, body);
  }
  Response patch(const std::string& target, const std::string& body,
                 const std::string& content_type = "application/merge-patch+json") {
    return request("PATCH", target, body, content_type);
  }
  Response del(const std::string& target, const std::string& body = "") {
    return request("DELETE", target, body);
  }
  /// Sends `Authorization: Bearer <token>` with every request from now on ("" stops it).
  void set_bearer_token(std::string token) { bearer_token_ = std::move(token); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string bearer_token_;
};

/// Reads a watch stream line by line.
class WatchStream {
 public:
  WatchStream(std::uint16_t port, const std::string& target,
              const std::string& accept = "application/json",
              const std::string& bearer_token = "");
  ~WatchStream();
  /// The status of the response (0 until the header arrived).
  int status() const;
  /// The next event line, or nullopt on timeout or end of stream.
  std::optional<std::string> next_line(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// The next event as JSON (nullopt on timeout or end).
  std::optional<JsonDocument> next_event(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// True once the server ended the stream.
  bool ended() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A devcluster running in this process on free ports (HTTPS and admin too), with its
/// kubeconfig in a temp directory.
class TestCluster {
 public:
  explicit TestCluster(DevClusterOptions options = {});
  ~TestCluster();
  DevCluster& cluster() { return *cluster_; }
  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  const std::string& kubeconfig() const { return cluster_->endpoints().kubeconfig; }
  const std::string& dir() const { return dir_.path(); }
  HttpClient& client() { return *client_; }
  /// POSTs to the admin endpoint.
  Response admin(const std::string& path, const std::string& body = "{}");

 private:
  TempDir dir_;
  std::unique_ptr<DevCluster> cluster_;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::unique_ptr<HttpClient> client_;
};

/// The result of a subprocess.
struct CommandResult {
  int exit_code = -1;  // -1: killed at the timeout
  std::string out;
  std::string err;
};

/// Runs `argv` with extra environment `env`, feeding `input` to stdin, killing it after
/// `timeout`.
CommandResult run_command(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          std::chrono::milliseconds timeout, const std::string& input = "");

/// A command running in the background (its own process group) with stdout and stderr going
/// to a file; killed on destruction.
class BackgroundCommand {
 public:
  BackgroundCommand(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env, const std::string& output_file);
  ~BackgroundCommand();
  BackgroundCommand(const BackgroundCommand&) = delete;
  BackgroundCommand& operator=(const BackgroundCommand&) = delete;
  /// What it printed so far.
  std::string output() const;

 private:
  int pid_ = -1;
  std::string output_file_;
};

/// The repository root (KORDER_SOURCE_DIR).
std::string source_dir();

/// Reads a file.
std::string read_file(const std::string& path);

/// A JSON document from text (empty object on error).
JsonDocument parse(const std::string& text);

/// Polls `condition` until true or `timeout`; returns its last value.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace korder::devcluster::testing
