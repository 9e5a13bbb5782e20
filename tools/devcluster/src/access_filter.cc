#include "access_filter.h"

#include "korder/api/time.h"
#include "request_parsing.h"

namespace korder::devcluster {
namespace {

HttpResponse unauthorized() {
  ApiError e;
  e.code = 401;
  e.reason = "Unauthorized";
  e.message = "Unauthorized";
  return e.to_response();
}

HttpResponse json_answer(int status, const JsonDocument& doc) {
  HttpResponse response;
  response.status = status;
  response.body = api::write_json(doc);
  return response;
}

/// A ResponseStream that reports the status its response starts with (the audit of a watch).
class StartObserver final : public ResponseStream {
 public:
  StartObserver(ResponseStream& inner, std::function<void(int)> on_start)
      : inner_(inner), on_start_(std::move(on_start)) {}

  Awaitable<bool> start(int status, std::string content_type) override {
    if (on_start_) {
      on_start_(status);
      on_start_ = nullptr;
    }
    const bool ok = co_await inner_.start(status, std::move(content_type));
    co_return ok;
  }
  Awaitable<bool> write(std::string data) override {
    const bool ok = co_await inner_.write(std::move(data));
    co_return ok;
  }
  Awaitable<void> finish() override { co_await inner_.finish(); }
  void on_close(std::function<void()> callback) override { inner_.on_close(std::move(callback)); }
  net::any_io_executor executor() override { return inner_.executor(); }

 private:
  ResponseStream& inner_;
  std::function<void(int)> on_start_;
};

Awaitable<void> send_whole(ResponseStream& out, const HttpResponse& response) {
  const bool started = co_await out.start(response.status, response.content_type);
  if (started) {
    const bool written = co_await out.write(response.body);
    if (written) {
      co_await out.finish();
    }
  }
}

bool is(const RequestAttributes& a, std::string_view group, std::string_view resource,
        std::string_view subresource, std::string_view verb) {
  return a.resource_request && a.api_group == group && a.resource == resource &&
         a.subresource == subresource && a.verb == verb;
}

HttpResponse self_subject_review(const UserInfo& user) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  set_string(doc, "kind", "SelfSubjectReview", a);
  set_string(doc, "apiVersion", "authentication.k8s.io/v1", a);
  set_member(ensure_object(doc, "metadata", a), "creationTimestamp",
             JsonValue(rapidjson::kNullType), a);
  JsonValue& info = ensure_object(ensure_object(doc, "status", a), "userInfo", a);
  set_string(info, "username", user.name, a);
  if (!user.uid.empty()) {
    set_string(info, "uid", user.uid, a);
  }
  JsonValue groups(rapidjson::kArrayType);
  for (const auto& group : user.groups) {
    groups.PushBack(make_string(group, a), a);
  }
  set_member(info, "groups", std::move(groups), a);
  return json_answer(201, doc);
}

}  // namespace

std::optional<AuthorizationMode> parse_authorization_mode(std::string_view text) {
  if (text == "AlwaysAllow") {
    return AuthorizationMode::AlwaysAllow;
  }
  if (text == "RBAC") {
    return AuthorizationMode::Rbac;
  }
  return std::nullopt;
}

AccessFilter::AccessFilter(HttpHandler& inner, Registry& registry,
                           TokenAuthenticator& authenticator, AuditLog* audit,
                           AuthorizationMode mode)
    : inner_(inner),
      registry_(registry),
      authenticator_(authenticator),
      audit_(audit),
      mode_(mode),
      rbac_(registry.store()) {}

bool AccessFilter::wants_stream(const HttpRequest& request) const {
  return inner_.wants_stream(request);
}

Awaitable<HttpResponse> AccessFilter::handle(HttpRequest request) {
  Admitted admitted = admit(request);
  if (admitted.answer) {
    audit(admitted.attributes, admitted.answer->status, admitted.decision);
    co_return std::move(*admitted.answer);
  }
  HttpResponse response = co_await inner_.handle(std::move(request));
  audit(admitted.attributes, response.status, admitted.decision);
  co_return response;
}

Awaitable<void> AccessFilter::stream(HttpRequest request, ResponseStream& out) {
  Admitted admitted = admit(request);
  if (admitted.answer) {
    audit(admitted.attributes, admitted.answer->status, admitted.decision);
    co_await send_whole(out, *admitted.answer);
    co_return;
  }
  StartObserver observed(out, [this, attributes = admitted.attributes](int status) {
    audit(attributes, status, "allow");
  });
  co_await inner_.stream(std::move(request), observed);
}

AccessFilter::Admitted AccessFilter::admit(const HttpRequest& request) {
  const Authentication authn = authenticator_.authenticate(request);
  Admitted out;
  out.attributes = request_attributes(request, authn.user);
  if (authn.outcome == Authentication::Outcome::Invalid && mode_ == AuthorizationMode::Rbac) {
    out.attributes.user = UserInfo{};
    out.answer = unauthorized();
    return out;
  }
  if (mode_ == AuthorizationMode::Rbac) {
    const Decision decision = rbac_.authorize(out.attributes);
    if (!decision.allowed) {
      out.decision = "forbid";
      out.answer = forbidden_error(out.attributes, decision.reason).to_response();
      return out;
    }
  }
  out.decision = "allow";
  out.answer = serve_identity_endpoint(request, out.attributes);
  if (!out.answer && mode_ == AuthorizationMode::Rbac) {
    out.answer = check_owner_references(request, out.attributes);
  }
  return out;
}

std::optional<HttpResponse> AccessFilter::serve_identity_endpoint(
    const HttpRequest& request, const RequestAttributes& attributes) {
  const bool token = is(attributes, "", "serviceaccounts", "token", "create") &&
                     !attributes.name.empty() && !attributes.namespace_.empty();
  const bool review = is(attributes, "authentication.k8s.io", "selfsubjectreviews", "", "create");
  const bool access =
      is(attributes, "authorization.k8s.io", "selfsubjectaccessreviews", "", "create");
  if (!token && !review && !access) {
    return std::nullopt;
  }
  JsonDocument body;
  if (auto parsed = parse_body(request, body); !parsed) {
    return parsed.error().to_response();
  }
  if (token) {
    return authenticator_.token_request(attributes.namespace_, attributes.name, body);
  }
  if (review) {
    return self_subject_review(attributes.user);
  }
  return access_review(body, attributes.user);
}

HttpResponse AccessFilter::access_review(JsonDocument& doc, const UserInfo& user) const {
  if (!doc.IsObject()) {
    return bad_request("the body of a SelfSubjectAccessReview must be an object").to_response();
  }
  RequestAttributes asked;
  asked.user = user;
  if (const JsonValue* r = find_path(doc, {"spec", "resourceAttributes"});
      r != nullptr && r->IsObject()) {
    asked.resource_request = true;
    asked.verb = string_at(*r, {"verb"});
    asked.api_group = string_at(*r, {"group"});
    asked.api_version = string_at(*r, {"version"});
    asked.resource = string_at(*r, {"resource"});
    asked.subresource = string_at(*r, {"subresource"});
    asked.namespace_ = string_at(*r, {"namespace"});
    asked.name = string_at(*r, {"name"});
  } else if (const JsonValue* n = find_path(doc, {"spec", "nonResourceAttributes"});
             n != nullptr && n->IsObject()) {
    asked.verb = string_at(*n, {"verb"});
    asked.path = string_at(*n, {"path"});
  } else {
    FieldError error{FieldError::Type::Invalid, "spec.resourceAttributes",
                     "Invalid value: \"null\": exactly one of nonResourceAttributes or "
                     "resourceAttributes must be specified"};
    return invalid("SelfSubjectAccessReview.authorization.k8s.io",
                   {"selfsubjectaccessreviews.authorization.k8s.io", "authorization.k8s.io",
                    "selfsubjectaccessreviews", ""},
                   {error})
        .to_response();
  }
  Decision decision{true, ""};
  if (mode_ == AuthorizationMode::Rbac) {
    decision = rbac_.authorize(asked);
  }
  auto& a = doc.GetAllocator();
  set_string(doc, "kind", "SelfSubjectAccessReview", a);
  set_string(doc, "apiVersion", "authorization.k8s.io/v1", a);
  set_member(ensure_object(doc, "metadata", a), "creationTimestamp",
             JsonValue(rapidjson::kNullType), a);
  JsonValue& status = ensure_object(doc, "status", a);
  set_member(status, "allowed", JsonValue(decision.allowed), a);
  if (!decision.reason.empty()) {
    set_string(status, "reason", decision.reason, a);
  }
  return json_answer(201, doc);
}

void AccessFilter::audit(const RequestAttributes& attributes, int code, std::string decision,
                         std::string check) const {
  if (audit_ == nullptr) {
    return;
  }
  AuditEntry entry;
  entry.time = api::format_rfc3339_micro(registry_.clock().now());
  entry.attributes = attributes;
  entry.code = code;
  entry.decision = std::move(decision);
  entry.check = std::move(check);
  audit_->record(entry);
}

}  // namespace korder::devcluster
