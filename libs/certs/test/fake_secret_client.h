#pragma once

// A SecretClient over an in-memory Secret, with a hook that runs between a create's decision
// and its effect (to play the replica that wins a race).

#include <functional>
#include <optional>
#include <string>

#include "korder/certs/ca_secret.h"
#include "korder/kclient/api_error.h"

namespace korder::certs::testing {

class FakeSecretClient final : public SecretClient {
 public:
  std::optional<std::string> stored;
  /// Runs at the start of create(); may set `stored` (another replica created it first).
  std::function<void()> before_create;
  /// Answers every get() with this error when set.
  std::optional<kclient::ApiError> get_error;
  int gets = 0;
  int creates = 0;

  Expected<std::string, kclient::ApiError> get(const CaSecretRef& ref) override {
    ++gets;
    if (get_error) {
      return Unexpected(*get_error);
    }
    if (!stored) {
      return Unexpected(kclient::ApiError::from_response(404, not_found(ref), "GET"));
    }
    return *stored;
  }

  Expected<std::string, kclient::ApiError> create(const CaSecretRef& ref,
                                                  std::string body) override {
    ++creates;
    if (before_create) {
      before_create();
    }
    if (stored) {
      return Unexpected(kclient::ApiError::from_response(
          409,
          R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"AlreadyExists",)"
          R"("message":"secrets \")" +
              ref.name + R"(\" already exists","code":409})",
          "POST"));
    }
    stored = body;
    return body;
  }

 private:
  static std::string not_found(const CaSecretRef& ref) {
    return R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound",)"
           R"("message":"secrets \")" +
           ref.name + R"(\" not found","code":404})";
  }
};

}  // namespace korder::certs::testing
