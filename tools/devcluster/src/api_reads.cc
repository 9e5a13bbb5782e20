// GET of one object and LIST (JSON, Table or PartialObjectMetadata), with selectors and
// limit/continue paging.
#include "api_handler.h"
#include "table.h"

namespace korder::devcluster {
namespace {

constexpr std::string_view kContinueTooOld =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list.";

}  // namespace

HttpResponse ApiHandler::get_object(const HttpRequest& request,
                                    const ResourceRequest& target) const {
  auto object = registry_.get(*target.info, target.namespace_, target.name);
  if (!object) {
    return object.error().to_response();
  }
  if (wants_table(request)) {
    return json_response(200, table_json(*target.info, {*object}, std::to_string((*object)->rv), "",
                                         true, registry_.clock().now()));
  }
  if (wants_partial_metadata(request)) {
    return json_response(200, partial_metadata_json(**object));
  }
  return json_response(200, (*object)->json);
}

HttpResponse ApiHandler::list(const HttpRequest& request, const ResourceRequest& target) const {
  const ResourceInfo& info = *target.info;
  auto options = parse_list_options(request, info);
  if (!options) {
    return options.error().to_response();
  }
  Store& store = registry_.store();
  const std::uint64_t compacted = store.compacted_rv();
  if (options->continue_rv && *options->continue_rv < compacted) {
    return expired(std::string(kContinueTooOld)).to_response();
  }
  if (options->resource_version_match == "Exact" && options->resource_version) {
    const std::uint64_t wanted = std::strtoull(options->resource_version->c_str(), nullptr, 10);
    if (wanted < compacted) {
      return expired("too old resource version: " + *options->resource_version + " (" +
                     std::to_string(compacted) + ")")
          .to_response();
    }
  }
  const api::Selector& labels = options->labels;
  const FieldSelector& fields = options->fields;
  std::function<bool(const StoredObject&)> filter;
  if (!labels.empty() || !fields.empty()) {
    filter = [&](const StoredObject& object) {
      return labels.matches(object.labels) && matches(fields, object.doc);
    };
  }
  Store::ListResult result = store.list(info.storage_id(), info.namespaced ? target.namespace_ : "",
                                        options->continue_key, options->limit, filter);
  const std::uint64_t list_rv = options->continue_rv.value_or(result.rv);
  std::string continue_token;
  std::optional<std::int64_t> remaining;
  if (result.more && !result.items.empty()) {
    const auto& last = result.items.back();
    continue_token = encode_continue(list_rv, object_key(last->namespace_, last->name));
    remaining = result.remaining;
  }
  if (wants_table(request)) {
    return json_response(200, table_json(info, result.items, std::to_string(list_rv),
                                         continue_token, true, registry_.clock().now()));
  }
  std::vector<std::string_view> items;
  items.reserve(result.items.size());
  std::vector<std::string> partial;
  if (wants_partial_metadata(request)) {
    partial.reserve(result.items.size());
    for (const auto& item : result.items) {
      partial.push_back(partial_metadata_json(*item));
      items.push_back(partial.back());
    }
    return json_response(200, list_json("PartialObjectMetadataList", "meta.k8s.io/v1",
                                        std::to_string(list_rv), continue_token, remaining, items));
  }
  for (const auto& item : result.items) {
    items.push_back(item->json);
  }
  return json_response(200, list_json(info.list_kind, info.api_version(), std::to_string(list_rv),
                                      continue_token, remaining, items));
}

}  // namespace korder::devcluster
