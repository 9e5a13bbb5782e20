#pragma once

// Authentication by bearer token, as kube-apiserver's token authenticators do it for the
// development cluster: the admin token of the kubeconfig the devcluster writes (a member of
// `system:masters`), and ServiceAccount tokens minted through the TokenRequest API
// (`POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`). A ServiceAccount token names the
// user `system:serviceaccount:NS:NAME` with the groups `system:serviceaccounts`,
// `system:serviceaccounts:NS` and `system:authenticated`; it stops working when it expires or
// when its ServiceAccount is deleted (a new ServiceAccount of the same name has a new uid).

#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api_error.h"
#include "http_types.h"
#include "json_access.h"
#include "korder/base/clock.h"
#include "registry.h"

namespace korder::devcluster {

/// The admin token written into the devcluster's kubeconfig.
inline constexpr std::string_view kAdminToken = "korder-devcluster-admin";
/// The admin user it maps to.
inline constexpr std::string_view kAdminUser = "korder-dev-admin";

/// Who made a request.
struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;

  bool in_group(std::string_view group) const;
};

/// The user of requests without a token.
UserInfo anonymous_user();
/// The user of the admin token.
UserInfo admin_user();
/// `system:serviceaccount:NS:NAME` and its groups.
UserInfo service_account_user(const std::string& namespace_, const std::string& name,
                              const std::string& uid);

/// What authentication made of a request.
struct Authentication {
  enum class Outcome { Authenticated, Anonymous, Invalid };
  Outcome outcome = Outcome::Anonymous;
  UserInfo user;  // anonymous_user() unless Authenticated
};

/// The token authenticator and the TokenRequest API. Thread-safe.
class TokenAuthenticator {
 public:
  TokenAuthenticator(Registry& registry, std::uint64_t seed);

  /// Reads `Authorization: Bearer <token>`: no header is Anonymous, a token that is not the
  /// admin token nor a live ServiceAccount token is Invalid.
  Authentication authenticate(const HttpRequest& request) const;

  /// Serves `POST .../serviceaccounts/NAME/token` with the decoded `body` (authentication.k8s.io/v1
  /// TokenRequest in and out): 201 with `status.token`, 404 when the ServiceAccount does not
  /// exist, 422 for `spec.expirationSeconds` below 600, 400 for another kind.
  HttpResponse token_request(const std::string& namespace_, const std::string& name,
                             const JsonValue& body);

  /// Drops every minted token (a restart that loses the store).
  void clear();

 private:
  struct Minted {
    std::string namespace_;
    std::string name;
    std::string uid;  // the ServiceAccount's uid when the token was minted
    TimePoint expires;
  };

  Registry& registry_;
  mutable std::mutex mu_;
  std::mt19937_64 random_;                // guarded by mu_
  std::map<std::string, Minted> tokens_;  // by token, guarded by mu_
};

}  // namespace korder::devcluster
