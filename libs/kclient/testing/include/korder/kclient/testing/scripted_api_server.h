#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "korder/kclient/config.h"
#include "korder/kclient/http_message.h"

namespace korder::kclient::testing {

/// What the scripted server checks in one request. Empty or unset fields are not checked.
struct ExpectedRequest {
  ExpectedRequest() = default;
  ExpectedRequest(std::string method_, std::string target_)
      : method(std::move(method_)), target(std::move(target_)) {}

  /// Builders: `ExpectedRequest("POST", "/x").with_body("{}").with_header("A", "b")`.
  ExpectedRequest& with_body(std::string b) {
    body = std::move(b);
    return *this;
  }
  ExpectedRequest& with_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  ExpectedRequest& without_header(std::string name) {
    absent_headers.push_back(std::move(name));
    return *this;
  }

  std::string method;
  /// Path and query, compared exactly (`/api/v1/namespaces/ns/pods?limit=2`).
  std::string target;
  std::optional<std::string> body;
  /// Each must be present with exactly this value (names compare case-insensitively).
  std::vector<HttpHeader> headers;
  /// Each must be absent.
  std::vector<std::string> absent_headers;
};

/// A request as the server received it.
struct RecordedRequest {
  std::string method;
  std::string target;
  std::vector<HttpHeader> headers;
  std::string body;
  std::size_t connection = 0;  // which accepted connection carried it (1, 2, ...)

  /// The first header named `name` (case-insensitive), or empty.
  std::string header(const std::string& name) const;
};

/// The bytes the server answers with, and what it does next. Build one with the factories, then
/// shape its timing with `split_every` / `delayed`.
struct ScriptedResponse {
  /// What happens to the connection after the response is written.
  enum class After {
    KeepAlive,  // read the next request
    Close,      // close the connection
    HoldOpen,   // write nothing more; wait until the client closes (an unfinished stream)
  };
  /// Raw response bytes, written in order, each after its delay.
  struct Piece {
    std::chrono::milliseconds delay{0};
    std::string bytes;
  };

  std::vector<Piece> pieces;
  After after = After::KeepAlive;

  /// `status` with a JSON body and a Content-Length, plus `headers`.
  static ScriptedResponse json(int status, std::string body, std::vector<HttpHeader> headers = {});
  /// `status` with a chunked JSON body: one HTTP chunk per element of `chunks`, then the end.
  static ScriptedResponse chunked(int status, const std::vector<std::string>& chunks,
                                  std::vector<HttpHeader> headers = {});
  /// A chunked 200 whose body never ends: writes `chunks`, then holds the connection open.
  static ScriptedResponse open_stream(const std::vector<std::string>& chunks);
  /// Closes the connection without answering (a server that went away).
  static ScriptedResponse dropped();
  /// Exactly `bytes` (for malformed responses).
  static ScriptedResponse raw(std::string bytes, After after = After::Close);

  /// Re-cuts all bytes into pieces of `n` bytes (so chunk headers, CRLFs and events are split
  /// at awkward places), with `gap` before each piece after the first.
  ScriptedResponse& split_every(std::size_t n, std::chrono::milliseconds gap);
  /// Waits `delay` before the first byte.
  ScriptedResponse& delayed(std::chrono::milliseconds delay);
};

/// TLS settings of the server: its certificate and key (PEM); with `client_ca_pem`, clients
/// must present a certificate that CA signed.
struct ScriptedTls {
  std::string cert_pem;
  std::string key_pem;
  std::string client_ca_pem;
};

/// A scripted Kubernetes API server for transport and REST client tests (kube-rs's
/// `mock_tests.rs`): it listens on 127.0.0.1 (an ephemeral port), answers requests in the order
/// they were scripted, whichever connection they come on, and records every mismatch between a
/// request and its expectation. A request beyond the script gets a 500 and is a failure. Runs its
/// own thread and io_context, so tests may block on the client. Thread-safe.
class ScriptedApiServer {
 public:
  /// A plain HTTP server.
  ScriptedApiServer();
  /// An HTTPS server.
  explicit ScriptedApiServer(ScriptedTls tls);
  /// Stops the server and closes every connection.
  ~ScriptedApiServer();
  ScriptedApiServer(const ScriptedApiServer&) = delete;
  ScriptedApiServer& operator=(const ScriptedApiServer&) = delete;

  /// Appends one exchange to the script.
  void expect(ExpectedRequest request, ScriptedResponse response);
  /// Answers every request beyond the script with `response`, unchecked and not counted as a
  /// failure (for benchmarks and load). Such requests count for `wait_for_requests` but are not
  /// kept in `requests()`.
  void answer_unscripted(ScriptedResponse response);

  std::uint16_t port() const;
  /// `http://127.0.0.1:<port>` or `https://…`.
  std::string url() const;
  /// A client Config for this server (no credentials; plain, or TLS trusting nothing: set
  /// `tls` in the result).
  Config config() const;

  /// Every mismatch and unexpected request so far, one line each (`request 2 (GET /x): ...`).
  std::vector<std::string> failures() const;
  std::vector<RecordedRequest> requests() const;
  std::size_t connections_accepted() const;
  /// TLS handshakes that failed on the server side.
  std::size_t failed_handshakes() const;
  /// Scripted exchanges not yet used.
  std::size_t remaining() const;

  /// Waits until `n` requests have arrived (true) or `timeout` passed (false).
  bool wait_for_requests(std::size_t n,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  /// Waits until `n` connections were closed (by either side) or `timeout` passed.
  bool wait_for_closed_connections(
      std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace korder::kclient::testing
