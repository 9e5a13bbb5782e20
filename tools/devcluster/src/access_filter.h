#pragma once

// The filters kube-apiserver runs before its handlers, around the ApiHandler: authentication
// (bearer tokens, authn.h), authorization (AlwaysAllow, or RBAC: rbac.h), the endpoints that
// need the caller's identity (TokenRequest, SelfSubjectReview, SelfSubjectAccessReview), the
// OwnerReferencesPermissionEnforcement admission check (with RBAC on), and the audit log.
// Internal controllers (scheduler, kubelets, garbage collector) and webhook calls go to the
// registry directly and are not subject to any of it.

#include <memory>
#include <optional>
#include <string>

#include "audit.h"
#include "authn.h"
#include "http_types.h"
#include "rbac.h"
#include "registry.h"

namespace korder::devcluster {

/// `--authorization-mode`.
enum class AuthorizationMode { AlwaysAllow, Rbac };

/// Parses `AlwaysAllow` or `RBAC`.
std::optional<AuthorizationMode> parse_authorization_mode(std::string_view text);

/// Wraps `inner` (the ApiHandler). Thread-safe.
class AccessFilter final : public HttpHandler {
 public:
  /// `audit` may be null (no audit log).
  AccessFilter(HttpHandler& inner, Registry& registry, TokenAuthenticator& authenticator,
               AuditLog* audit, AuthorizationMode mode);

  bool wants_stream(const HttpRequest& request) const override;
  Awaitable<HttpResponse> handle(HttpRequest request) override;
  Awaitable<void> stream(HttpRequest request, ResponseStream& out) override;

 private:
  struct Admitted {
    RequestAttributes attributes;
    std::string decision;                // allow, forbid, or "" (401)
    std::optional<HttpResponse> answer;  // set: send this instead of calling `inner`
  };
  Admitted admit(const HttpRequest& request);
  std::optional<HttpResponse> serve_identity_endpoint(const HttpRequest& request,
                                                      const RequestAttributes& attributes);
  std::optional<HttpResponse> check_owner_references(const HttpRequest& request,
                                                     const RequestAttributes& attributes) const;
  HttpResponse access_review(JsonDocument& doc, const UserInfo& user) const;
  void audit(const RequestAttributes& attributes, int code, std::string decision,
             std::string check = "") const;

  HttpHandler& inner_;
  Registry& registry_;
  TokenAuthenticator& authenticator_;
  AuditLog* const audit_;
  const AuthorizationMode mode_;
  const RbacAuthorizer rbac_;
};

}  // namespace korder::devcluster
