#include "api_error.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace korder::devcluster {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void put_if(Writer& w, std::string_view key, std::string_view value) {
  if (!value.empty()) {
    put(w, key, value);
  }
}

void start_status(Writer& w, std::string_view status) {
  w.StartObject();
  put(w, "kind", "Status");
  put(w, "apiVersion", "v1");
  w.Key("metadata");
  w.StartObject();
  w.EndObject();
  put(w, "status", status);
}

ApiError make(int code, std::string reason, std::string message) {
  ApiError e;
  e.code = code;
  e.reason = std::move(reason);
  e.message = std::move(message);
  return e;
}

ApiError with_subject(ApiError e, const ErrorSubject& subject) {
  e.name = subject.name;
  e.group = subject.group;
  e.kind = subject.resource;
  return e;
}

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

}  // namespace

std::string ApiError::to_status_json() const {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  start_status(w, "Failure");
  put(w, "message", message);
  put(w, "reason", reason);
  const bool has_details = !name.empty() || !group.empty() || !kind.empty() || !uid.empty() ||
                           !causes.empty() || retry_after_seconds.has_value();
  if (has_details) {
    w.Key("details");
    w.StartObject();
    put_if(w, "name", name);
    put_if(w, "group", group);
    put_if(w, "kind", kind);
    put_if(w, "uid", uid);
    if (!causes.empty()) {
      w.Key("causes");
      w.StartArray();
      for (const auto& cause : causes) {
        w.StartObject();
        put_if(w, "reason", cause.reason);
        put_if(w, "message", cause.message);
        put_if(w, "field", cause.field);
        w.EndObject();
      }
      w.EndArray();
    }
    if (retry_after_seconds) {
      w.Key("retryAfterSeconds");
      w.Int(*retry_after_seconds);
    }
    w.EndObject();
  }
  w.Key("code");
  w.Int(code);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

HttpResponse ApiError::to_response() const {
  HttpResponse response;
  response.status = code;
  response.body = to_status_json();
  if (retry_after_seconds) {
    response.headers.emplace_back("Retry-After", std::to_string(*retry_after_seconds));
  }
  return response;
}

ApiError not_found(const ErrorSubject& subject) {
  return with_subject(
      make(404, "NotFound", subject.qualified + " " + quoted(subject.name) + " not found"),
      subject);
}

ApiError not_found_path() {
  return make(404, "NotFound", "the server could not find the requested resource");
}

ApiError already_exists(const ErrorSubject& subject) {
  return with_subject(make(409, "AlreadyExists",
                           subject.qualified + " " + quoted(subject.name) + " already exists"),
                      subject);
}

ApiError conflict(const ErrorSubject& subject, std::string_view detail) {
  return with_subject(make(409, "Conflict",
                           "Operation cannot be fulfilled on " + subject.qualified + " " +
                               quoted(subject.name) + ": " + std::string(detail)),
                      subject);
}

ApiError conflict_modified(const ErrorSubject& subject) {
  return conflict(subject,
                  "the object has been modified; please apply your changes to the latest "
                  "version and try again");
}

std::string_view cause_reason(FieldError::Type type) {
  switch (type) {
    case FieldError::Type::Invalid:
      return "FieldValueInvalid";
    case FieldError::Type::Required:
      return "FieldValueRequired";
    case FieldError::Type::NotSupported:
      return "FieldValueNotSupported";
    case FieldError::Type::Forbidden:
      return "FieldValueForbidden";
    case FieldError::Type::TooLong:
      return "FieldValueTooLong";
    case FieldError::Type::Duplicate:
      return "FieldValueDuplicate";
    case FieldError::Type::TooMany:
      return "FieldValueTooMany";
  }
  return "FieldValueInvalid";
}

ApiError invalid(std::string_view kind_qualified, const ErrorSubject& subject,
                 const FieldErrors& errors) {
  std::string list;
  if (errors.size() == 1) {
    list = errors.front().to_string();
  } else {
    list = "[";
    for (std::size_t i = 0; i < errors.size(); ++i) {
      list += (i == 0 ? "" : ", ") + errors[i].to_string();
    }
    list += "]";
  }
  ApiError e = with_subject(
      make(422, "Invalid",
           std::string(kind_qualified) + " " + quoted(subject.name) + " is invalid: " + list),
      subject);
  // details.kind of an Invalid error is the Kind (StatusDetails of NewInvalid: qualifiedKind).
  e.kind = std::string(kind_qualified.substr(0, kind_qualified.find('.')));
  for (const auto& error : errors) {
    e.causes.push_back({std::string(cause_reason(error.type)), error.detail, error.field});
  }
  return e;
}

ApiError bad_request(std::string message) { return make(400, "BadRequest", std::move(message)); }

ApiError method_not_allowed() {
  return make(405, "MethodNotAllowed",
              "the server does not allow this method on the requested resource");
}

ApiError forbidden(const ErrorSubject& subject, std::string message) {
  return with_subject(make(403, "Forbidden", std::move(message)), subject);
}

ApiError expired(std::string message) { return make(410, "Expired", std::move(message)); }

ApiError unsupported_media_type(std::string_view content_type, std::string_view accepted) {
  (void)content_type;
  return make(415, "UnsupportedMediaType",
              "the body of the request was in an unknown format - accepted media types "
              "include: " +
                  std::string(accepted));
}

ApiError request_entity_too_large(std::string message) {
  return make(413, "RequestEntityTooLarge", std::move(message));
}

ApiError internal_error(std::string_view message) {
  return make(500, "InternalError", "Internal error occurred: " + std::string(message));
}

ApiError not_implemented(std::string message) {
  return make(501, "NotImplemented", std::move(message));
}

std::string success_status_json(const ErrorSubject* subject, std::string_view uid,
                                std::optional<int> code) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  start_status(w, "Success");
  if (subject != nullptr) {
    w.Key("details");
    w.StartObject();
    put_if(w, "name", subject->name);
    put_if(w, "group", subject->group);
    put_if(w, "kind", subject->resource);
    put_if(w, "uid", uid);
    w.EndObject();
  }
  if (code) {
    w.Key("code");
    w.Int(*code);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace korder::devcluster
