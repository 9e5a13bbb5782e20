#include "authn.h"

#include <algorithm>
#include <cstdio>

#include "json_access.h"
#include "korder/api/time.h"

namespace korder::devcluster {
namespace {

constexpr std::int64_t kDefaultExpirationSeconds = 3600;
constexpr std::int64_t kMinExpirationSeconds = 600;
constexpr std::string_view kAudience = "https://kubernetes.default.svc.cluster.local";

std::string bearer_token(const HttpRequest& request) {
  auto it = request.headers.find("authorization");
  if (it == request.headers.end()) {
    return "";
  }
  std::string_view value = it->second;
  if (value.size() < 7 || (value.substr(0, 7) != "Bearer " && value.substr(0, 7) != "bearer ")) {
    return "\x01";  // a scheme other than Bearer (Basic): never a valid token
  }
  value.remove_prefix(7);
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  return std::string(value);
}

ApiError token_request_invalid(const std::string& name, FieldError error) {
  ErrorSubject subject{"tokenrequests.authentication.k8s.io", "authentication.k8s.io",
                       "tokenrequests", name};
  return invalid("TokenRequest.authentication.k8s.io", subject, {std::move(error)});
}

}  // namespace

bool UserInfo::in_group(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

UserInfo anonymous_user() { return {"system:anonymous", "", {"system:unauthenticated"}}; }

UserInfo admin_user() {
  return {std::string(kAdminUser), "", {"system:masters", "system:authenticated"}};
}

UserInfo service_account_user(const std::string& namespace_, const std::string& name,
                              const std::string& uid) {
  return {
      "system:serviceaccount:" + namespace_ + ":" + name,
      uid,
      {"system:serviceaccounts", "system:serviceaccounts:" + namespace_, "system:authenticated"}};
}

TokenAuthenticator::TokenAuthenticator(Registry& registry, std::uint64_t seed)
    : registry_(registry), random_(seed) {}

Authentication TokenAuthenticator::authenticate(const HttpRequest& request) const {
  const std::string token = bearer_token(request);
  Authentication out;
  out.user = anonymous_user();
  if (token.empty()) {
    return out;
  }
  out.outcome = Authentication::Outcome::Invalid;
  if (token == kAdminToken) {
    out.outcome = Authentication::Outcome::Authenticated;
    out.user = admin_user();
    return out;
  }
  Minted minted;
  {
    std::lock_guard lock(mu_);
    auto it = tokens_.find(token);
    if (it == tokens_.end()) {
      return out;
    }
    minted = it->second;
  }
  if (registry_.clock().now() >= minted.expires) {
    return out;
  }
  // A bound token dies with its ServiceAccount (kube-apiserver checks the uid the same way).
  ResourcePtr info = registry_.catalog().find("", "v1", "serviceaccounts");
  auto account = registry_.get(*info, minted.namespace_, minted.name);
  if (!account || (*account)->uid != minted.uid) {
    return out;
  }
  out.outcome = Authentication::Outcome::Authenticated;
  out.user = service_account_user(minted.namespace_, minted.name, minted.uid);
  return out;
}

HttpResponse TokenAuthenticator::token_request(const std::string& namespace_,
                                               const std::string& name, const JsonValue& in) {
  ResourcePtr info = registry_.catalog().find("", "v1", "serviceaccounts");
  auto account = registry_.get(*info, namespace_, name);
  if (!account) {
    return account.error().to_response();
  }
  if (!in.IsObject()) {
    return bad_request("the body of a TokenRequest must be an object").to_response();
  }
  const std::string_view kind = string_at(in, {"kind"});
  if (!kind.empty() && kind != "TokenRequest") {
    return bad_request("expected a TokenRequest, got kind \"" + std::string(kind) + "\"")
        .to_response();
  }
  std::int64_t seconds = kDefaultExpirationSeconds;
  if (const JsonValue* given = find_path(in, {"spec", "expirationSeconds"});
      given != nullptr && !given->IsNull()) {
    if (!given->IsInt64()) {
      return token_request_invalid(
                 name, {FieldError::Type::Invalid, "spec.expirationSeconds",
                        "Invalid value: " + go_value_string(*given) + ": must be an integer"})
          .to_response();
    }
    seconds = given->GetInt64();
    if (seconds < kMinExpirationSeconds) {
      return token_request_invalid(name, {FieldError::Type::Invalid, "spec.expirationSeconds",
                                          "Invalid value: " + std::to_string(seconds) +
                                              ": may not specify a duration less than 10 minutes"})
          .to_response();
    }
    if (seconds > (std::int64_t{1} << 32)) {
      return token_request_invalid(name, {FieldError::Type::Invalid, "spec.expirationSeconds",
                                          "Invalid value: " + std::to_string(seconds) +
                                              ": may not specify a duration larger than 2^32 "
                                              "seconds"})
          .to_response();
    }
  }
  const TimePoint now = registry_.clock().now();
  const TimePoint expires = now + std::chrono::seconds(seconds);
  std::string token = "korder-sa.";
  {
    std::lock_guard lock(mu_);
    for (int i = 0; i < 4; ++i) {
      char hex[17];
      std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(random_()));
      token += hex;
    }
    tokens_[token] = Minted{namespace_, name, (*account)->uid, expires};
  }

  JsonDocument out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  set_string(out, "kind", "TokenRequest", a);
  set_string(out, "apiVersion", "authentication.k8s.io/v1", a);
  JsonValue& metadata = ensure_object(out, "metadata", a);
  set_string(metadata, "name", name, a);
  set_string(metadata, "namespace", namespace_, a);
  set_string(metadata, "creationTimestamp", api::format_rfc3339(now), a);
  JsonValue& spec = ensure_object(out, "spec", a);
  JsonValue audiences(rapidjson::kArrayType);
  const JsonValue* asked = find_path(in, {"spec", "audiences"});
  if (asked != nullptr && asked->IsArray() && !asked->Empty()) {
    audiences.CopyFrom(*asked, a);
  } else {
    audiences.PushBack(make_string(kAudience, a), a);
  }
  set_member(spec, "audiences", std::move(audiences), a);
  set_member(spec, "expirationSeconds", JsonValue(static_cast<std::int64_t>(seconds)), a);
  set_member(spec, "boundObjectRef", JsonValue(rapidjson::kNullType), a);
  JsonValue& status = ensure_object(out, "status", a);
  set_string(status, "token", token, a);
  set_string(status, "expirationTimestamp", api::format_rfc3339(expires), a);
  HttpResponse response;
  response.status = 201;
  response.body = api::write_json(out);
  return response;
}

void TokenAuthenticator::clear() {
  std::lock_guard lock(mu_);
  tokens_.clear();
}

}  // namespace korder::devcluster
