#include "korder/kclient/api_error.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <string>
#include <vector>

namespace korder::kclient {
namespace {

using Reason = ApiError::Reason;
using std::chrono::seconds;

// Status bodies as the API server writes them (shared/reference/kube-protocol.md §1, §7, §8).
struct StatusCase {
  const char* what;
  int http_code;
  std::string body;
  Reason reason;
  std::string message;
};

std::vector<StatusCase> status_cases() {
  return {
      {"not found", 404,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"orders.core.korder.dev \"nope\" not found","reason":"NotFound",)"
       R"("details":{"name":"nope","group":"core.korder.dev","kind":"orders"},"code":404})",
       Reason::NotFound, R"(orders.core.korder.dev "nope" not found)"},
      {"already exists", 409,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"orders.core.korder.dev \"my-order\" already exists",)"
       R"("reason":"AlreadyExists","details":{"name":"my-order","group":"core.korder.dev",)"
       R"("kind":"orders"},"code":409})",
       Reason::AlreadyExists, R"(orders.core.korder.dev "my-order" already exists)"},
      {"conflict", 409,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("Operation cannot be fulfilled on orders.core.korder.dev \"my-order\": the object )"
       R"(has been modified; please apply your changes to the latest version and try again",)"
       R"("reason":"Conflict","details":{"name":"my-order","group":"core.korder.dev",)"
       R"("kind":"orders"},"code":409})",
       Reason::Conflict,
       R"(Operation cannot be fulfilled on orders.core.korder.dev "my-order": the object has )"
       R"(been modified; please apply your changes to the latest version and try again)"},
      {"expired", 410,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"j("message":"too old resource version: 5 (500)","reason":"Expired","code":410})j",
       Reason::Gone, "too old resource version: 5 (500)"},
      {"gone", 410,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"the resource is gone","reason":"Gone","code":410})",
       Reason::Gone, "the resource is gone"},
      {"forbidden", 403,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("orders.core.korder.dev \"a\" is forbidden: User \"system:anonymous\" cannot get )"
       R"(resource \"orders\" in API group \"core.korder.dev\" in the namespace \"default\"",)"
       R"("reason":"Forbidden","details":{"name":"a","group":"core.korder.dev",)"
       R"("kind":"orders"},"code":403})",
       Reason::Forbidden,
       R"(orders.core.korder.dev "a" is forbidden: User "system:anonymous" cannot get resource )"
       R"("orders" in API group "core.korder.dev" in the namespace "default")"},
      {"unauthorized", 401,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
       R"("message":"Unauthorized","reason":"Unauthorized","code":401})",
       Reason::Unauthorized, "Unauthorized"},
      {"bad request", 400,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("Order in version \"v1alpha1\" cannot be handled as a Order: strict decoding error: )"
       R"(unknown field \"spec.foo\"","reason":"BadRequest","code":400})",
       Reason::BadRequest,
       R"(Order in version "v1alpha1" cannot be handled as a Order: strict decoding error: )"
       R"(unknown field "spec.foo")"},
      {"method not allowed", 405,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("the server does not allow this method on the requested resource",)"
       R"("reason":"MethodNotAllowed","details":{},"code":405})",
       Reason::MethodNotAllowed, "the server does not allow this method on the requested resource"},
      {"unsupported media type", 415,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("the body of the request was in an unknown format - accepted media types include: )"
       R"(application/json-patch+json, application/merge-patch+json, )"
       R"(application/apply-patch+yaml","reason":"UnsupportedMediaType","code":415})",
       Reason::UnsupportedMediaType,
       "the body of the request was in an unknown format - accepted media types include: "
       "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"},
      {"too many requests", 429,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("Too many requests, please try again later.","reason":"TooManyRequests",)"
       R"("details":{"retryAfterSeconds":1},"code":429})",
       Reason::TooManyRequests, "Too many requests, please try again later."},
      {"internal error", 500,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("Internal error occurred: failed calling webhook \"claims.korder.dev\": connection )"
       R"(refused","reason":"InternalError","details":{"causes":[{"message":"failed calling )"
       R"(webhook \"claims.korder.dev\": connection refused"}]},"code":500})",
       Reason::InternalError,
       R"(Internal error occurred: failed calling webhook "claims.korder.dev": connection refused)"},
      {"server timeout", 500,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("The list operation against orders.core.korder.dev could not be completed at this )"
       R"(time, please try again.","reason":"ServerTimeout","details":{"name":"list",)"
       R"("kind":"orders.core.korder.dev","retryAfterSeconds":2},"code":500})",
       Reason::ServerTimeout,
       "The list operation against orders.core.korder.dev could not be completed at this time, "
       "please try again."},
      {"timeout", 504,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("Timeout: Too large resource version: 900, current: 500","reason":"Timeout",)"
       R"("details":{"retryAfterSeconds":1},"code":504})",
       Reason::Timeout, "Timeout: Too large resource version: 900, current: 500"},
      {"service unavailable", 503,
       R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
       R"("the server is currently unable to handle the request","reason":"ServiceUnavailable",)"
       R"("code":503})",
       Reason::ServiceUnavailable, "the server is currently unable to handle the request"},
  };
}

TEST_CASE("every Status reason of the API server maps to its ApiError reason", "[unit][kclient]") {
  for (const StatusCase& c : status_cases()) {
    DYNAMIC_SECTION(c.what) {
      const ApiError e = ApiError::from_response(c.http_code, c.body, "GET");
      CHECK(e.reason() == c.reason);
      CHECK(e.code() == c.http_code);
      CHECK(e.message() == c.message);
      CHECK(e.to_string() == c.message);
    }
  }
}

TEST_CASE("the predicates mirror apierrors for each reason", "[unit][kclient]") {
  for (const StatusCase& c : status_cases()) {
    DYNAMIC_SECTION(c.what) {
      const ApiError e = ApiError::from_response(c.http_code, c.body);
      CHECK(e.is_not_found() == (c.reason == Reason::NotFound));
      CHECK(e.is_already_exists() == (c.reason == Reason::AlreadyExists));
      CHECK(e.is_conflict() == (c.reason == Reason::Conflict));
      CHECK(e.is_gone() == (c.reason == Reason::Gone));
      CHECK(e.is_forbidden() == (c.reason == Reason::Forbidden));
      CHECK(e.is_unauthorized() == (c.reason == Reason::Unauthorized));
      CHECK(e.is_invalid() == (c.reason == Reason::Invalid));
      CHECK(e.is_too_many_requests() == (c.reason == Reason::TooManyRequests));
      CHECK(e.is_server_timeout() == (c.reason == Reason::ServerTimeout));
      const bool transient = c.reason == Reason::TooManyRequests ||
                             c.reason == Reason::ServerTimeout || c.reason == Reason::Timeout ||
                             c.reason == Reason::InternalError ||
                             c.reason == Reason::ServiceUnavailable;
      CHECK(e.is_retryable() == transient);
    }
  }
}

TEST_CASE("a NotFound Status keeps its details", "[unit][kclient]") {
  const ApiError e = ApiError::from_response(404, status_cases()[0].body);
  CHECK(e.details() == ApiError::Details{"nope", "core.korder.dev", "orders", ""});
  CHECK(e.status_reason() == "NotFound");
  CHECK(e.causes().empty());
  CHECK_FALSE(e.retry_after().has_value());
}

TEST_CASE("an Invalid Status keeps its field causes", "[unit][kclient]") {
  const std::string body =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":)"
      R"("Order.core.korder.dev \"my-order\" is invalid: metadata.resourceVersion: Invalid )"
      R"(value: 0x0: must be specified for an update","reason":"Invalid","details":{"name":)"
      R"("my-order","group":"core.korder.dev","kind":"Order","causes":[{"reason":)"
      R"("FieldValueInvalid","message":"Invalid value: 0x0: must be specified for an update",)"
      R"("field":"metadata.resourceVersion"}]},"code":422})";
  const ApiError e = ApiError::from_response(422, body, "PUT");
  CHECK(e.is_invalid());
  CHECK(e.code() == 422);
  REQUIRE(e.causes().size() == 1);
  CHECK(e.causes()[0] == ApiError::Cause{"FieldValueInvalid",
                                         "Invalid value: 0x0: must be specified for an update",
                                         "metadata.resourceVersion"});
}

TEST_CASE("an Expired Status is gone and resource-expired, a Gone Status only gone",
          "[unit][kclient]") {
  const auto cases = status_cases();
  const ApiError expired = ApiError::from_response(410, cases[3].body);
  const ApiError gone = ApiError::from_response(410, cases[4].body);
  CHECK(expired.is_gone());
  CHECK(expired.is_resource_expired());
  CHECK(gone.is_gone());
  CHECK_FALSE(gone.is_resource_expired());
}

TEST_CASE("retry_after comes from retryAfterSeconds, else from the Retry-After header",
          "[unit][kclient]") {
  const auto cases = status_cases();
  const StatusCase& too_many = cases[10];
  CHECK(ApiError::from_response(429, too_many.body, "GET", seconds(7)).retry_after() == seconds(1));
  const std::string no_details =
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"("message":"slow down","reason":"TooManyRequests","code":429})";
  CHECK(ApiError::from_response(429, no_details, "GET", seconds(7)).retry_after() == seconds(7));
  CHECK_FALSE(ApiError::from_response(429, no_details, "GET").retry_after().has_value());
  CHECK(ApiError::from_response(500, cases[12].body).retry_after() == seconds(2));
}

TEST_CASE("a response without a Status is classified by its HTTP code as client-go does",
          "[unit][kclient]") {
  struct Case {
    int code;
    const char* method;
    const char* body;
    Reason reason;
    const char* message;
  };
  const Case cases[] = {
      {404, "GET", "", Reason::NotFound, "the server could not find the requested resource"},
      {409, "POST", "", Reason::AlreadyExists, "the server reported a conflict"},
      {409, "PUT", "", Reason::Conflict, "the server reported a conflict"},
      {403, "GET", "  forbidden by the proxy\n", Reason::Forbidden, "forbidden by the proxy"},
      {401, "GET", "", Reason::Unauthorized,
       "the server has asked for the client to provide credentials"},
      {422, "PUT", "", Reason::Invalid,
       "the server rejected our request due to an error in our request"},
      {429, "GET", "", Reason::TooManyRequests,
       "the server has received too many requests and has asked us to try again later"},
      {502, "GET", "<html>Bad Gateway</html>", Reason::InternalError,
       "an error on the server (\"<html>Bad Gateway</html>\") has prevented the request from "
       "succeeding"},
      {503, "GET", "", Reason::ServiceUnavailable,
       "the server is currently unable to handle the request"},
      {504, "GET", "", Reason::Timeout,
       "the server was unable to return a response in the time allotted, but may still be "
       "processing the request"},
      {418, "GET", "", Reason::Unknown,
       "the server responded with the status code 418 but did not return more information"},
      // JSON that is not a Status counts as no Status.
      {404, "GET", R"({"kind":"Order"})", Reason::NotFound,
       "the server could not find the requested resource"},
  };
  for (const Case& c : cases) {
    INFO(c.code << " " << c.method << " " << c.body);
    const ApiError e = ApiError::from_response(c.code, c.body, c.method);
    CHECK(e.reason() == c.reason);
    CHECK(e.code() == c.code);
    CHECK(e.message() == c.message);
  }
}

TEST_CASE("a Status with an empty reason is classified by its code", "[unit][kclient]") {
  const std::string body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                           R"("message":"no such thing","code":404})";
  const ApiError e = ApiError::from_response(404, body);
  CHECK(e.is_not_found());
  CHECK(e.message() == "no such thing");
}

TEST_CASE("a Status with a reason korder does not classify stays unknown", "[unit][kclient]") {
  const std::string body = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                           R"("message":"only protobuf","reason":"NotAcceptable","code":406})";
  const ApiError e = ApiError::from_response(406, body);
  CHECK(e.reason() == Reason::Unknown);
  CHECK(e.status_reason() == "NotAcceptable");
  CHECK(e.code() == 406);
}

TEST_CASE("a watch ERROR Status becomes an ApiError with the Status code", "[unit][kclient]") {
  const ApiError e = ApiError::from_status_json(
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
      R"j("message":"too old resource version: 5 (500)","reason":"Expired","code":410})j");
  CHECK(e.is_gone());
  CHECK(e.code() == 410);
  const ApiError not_status = ApiError::from_status_json(R"({"kind":"Order"})");
  CHECK(not_status.reason() == Reason::Unknown);
}

TEST_CASE("context is prepended outermost first and never hides the cause", "[unit][kclient]") {
  const ApiError e = ApiError::from_response(404, status_cases()[0].body)
                         .with_context("getting order default/nope")
                         .with_context("reconciling default/nope");
  CHECK(e.to_string() ==
        R"(reconciling default/nope: getting order default/nope: orders.core.korder.dev "nope" )"
        R"(not found)");
  CHECK(e.is_not_found());
  CHECK(e.code() == 404);
  std::ostringstream os;
  os << e;
  CHECK(os.str() == e.to_string());
}

TEST_CASE("transport and client timeout errors have no HTTP code and are retryable",
          "[unit][kclient]") {
  const ApiError t = ApiError::transport("connecting to 127.0.0.1:1: Connection refused");
  CHECK(t.is_transport());
  CHECK(t.code() == 0);
  CHECK(t.is_retryable());
  const ApiError to = ApiError::timeout("reading the response: timed out");
  CHECK(to.is_timeout());
  CHECK(to.is_retryable());
  CHECK_FALSE(ApiError::unknown("bad").is_retryable());
  CHECK(to_string(Reason::Transport) == "Transport");
  CHECK(to_string(Reason::Gone) == "Gone");
  CHECK(to_string(Reason::TooManyRequests) == "TooManyRequests");
}

}  // namespace
}  // namespace korder::kclient
