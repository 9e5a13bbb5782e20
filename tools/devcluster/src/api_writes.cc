// Writes: POST, PUT, PATCH, DELETE, DELETE of a collection, and pods/binding.
#include "api_handler.h"

namespace korder::devcluster {
namespace {

HttpResponse object_response(int status, const WriteResult& result) {
  HttpResponse response = json_response(status, result.object->json);
  add_warnings(response, result.warnings);
  return response;
}

}  // namespace

Awaitable<HttpResponse> ApiHandler::create(const HttpRequest& request,
                                           const ResourceRequest& target) {
  auto options = parse_write_options(request);
  if (!options) {
    co_return options.error().to_response();
  }
  JsonDocument body;
  if (auto parsed = parse_body(request, body); !parsed) {
    co_return parsed.error().to_response();
  }
  auto result =
      co_await registry_.create(*target.info, target.namespace_, std::move(body), *options);
  if (!result) {
    co_return result.error().to_response();
  }
  co_return object_response(201, *result);
}

Awaitable<HttpResponse> ApiHandler::update(const HttpRequest& request,
                                           const ResourceRequest& target) {
  auto options = parse_write_options(request);
  if (!options) {
    co_return options.error().to_response();
  }
  JsonDocument body;
  if (auto parsed = parse_body(request, body); !parsed) {
    co_return parsed.error().to_response();
  }
  auto result = co_await registry_.update(*target.info, target.namespace_, target.name,
                                          target.subresource, std::move(body), *options);
  if (!result) {
    co_return result.error().to_response();
  }
  co_return object_response(result->created ? 201 : 200, *result);
}

Awaitable<HttpResponse> ApiHandler::patch(const HttpRequest& request,
                                          const ResourceRequest& target) {
  auto options = parse_write_options(request);
  if (!options) {
    co_return options.error().to_response();
  }
  auto type = patch_type_of(request.content_type);
  if (!type) {
    std::string accepted =
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
    if (!target.info->custom()) {
      accepted += ", application/strategic-merge-patch+json";
    }
    co_return unsupported_media_type(request.content_type, accepted).to_response();
  }
  if (*type == PatchType::Apply && options->field_manager.empty()) {
    co_return invalid("PatchOptions.meta.k8s.io", ErrorSubject{"", "meta.k8s.io", "", ""},
                      {FieldError{FieldError::Type::Required, "fieldManager",
                                  "Required value: is required for apply patch"}})
        .to_response();
  }
  auto result = co_await registry_.patch(*target.info, target.namespace_, target.name,
                                         target.subresource, *type, request.body, *options);
  if (!result) {
    co_return result.error().to_response();
  }
  co_return object_response(result->created ? 201 : 200, *result);
}

Awaitable<HttpResponse> ApiHandler::remove(const HttpRequest& request,
                                           const ResourceRequest& target) {
  auto options = parse_delete_options(request);
  if (!options) {
    co_return options.error().to_response();
  }
  auto result = co_await registry_.remove(*target.info, target.namespace_, target.name, *options);
  if (!result) {
    co_return result.error().to_response();
  }
  HttpResponse response;
  if (result->deleted_now && target.info->custom()) {
    const ErrorSubject subject = target.info->subject(target.name);
    response = json_response(200, success_status_json(&subject, result->object->uid, std::nullopt));
  } else {
    response = json_response(200, result->object->json);
  }
  add_warnings(response, result->warnings);
  co_return response;
}

Awaitable<HttpResponse> ApiHandler::remove_collection(const HttpRequest& request,
                                                      const ResourceRequest& target) {
  const ResourceInfo& info = *target.info;
  auto list_options = parse_list_options(request, info);
  if (!list_options) {
    co_return list_options.error().to_response();
  }
  auto options = parse_delete_options(request);
  if (!options) {
    co_return options.error().to_response();
  }
  const api::Selector& labels = list_options->labels;
  const FieldSelector& fields = list_options->fields;
  Store::ListResult matching =
      registry_.store().list(info.storage_id(), info.namespaced ? target.namespace_ : "", "", 0,
                             [&](const StoredObject& object) {
                               return labels.matches(object.labels) && matches(fields, object.doc);
                             });
  std::vector<ObjectPtr> deleted;
  for (const auto& object : matching.items) {
    auto result = co_await registry_.remove(info, object->namespace_, object->name, *options);
    if (result) {
      deleted.push_back(result->object);
    } else if (result.error().code != 404) {
      co_return result.error().to_response();
    }
  }
  std::vector<std::string_view> items;
  for (const auto& object : deleted) {
    items.push_back(object->json);
  }
  co_return json_response(
      200, list_json(info.list_kind, info.api_version(),
                     std::to_string(registry_.store().current_rv()), "", std::nullopt, items));
}

Awaitable<HttpResponse> ApiHandler::bind(const HttpRequest& request,
                                         const ResourceRequest& target) {
  auto options = parse_write_options(request);
  if (!options) {
    co_return options.error().to_response();
  }
  JsonDocument body;
  if (auto parsed = parse_body(request, body); !parsed) {
    co_return parsed.error().to_response();
  }
  auto result = co_await registry_.bind(target.namespace_, target.name, std::move(body), *options);
  if (!result) {
    co_return result.error().to_response();
  }
  co_return json_response(201, success_status_json(nullptr, "", 201));
}

}  // namespace korder::devcluster
