#include "korder/kclient/api_options.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>

#include "korder/kclient/resource_ref.h"

namespace korder::kclient {
namespace {

// Keys in order, as Go's url.Values.Encode writes them.
using Query = std::map<std::string, std::string>;

std::string encode(const Query& query) {
  std::string out;
  for (const auto& [key, value] : query) {
    out += out.empty() ? '?' : '&';
    out += escape_query_value(key) + "=" + escape_query_value(value);
  }
  return out;
}

void set_if(Query& query, const char* key, const std::string& value) {
  if (!value.empty()) {
    query[key] = value;
  }
}

void add_write_options(Query& query, const std::string& field_manager, bool dry_run,
                       const std::string& field_validation) {
  set_if(query, "fieldManager", field_manager);
  set_if(query, "fieldValidation", field_validation);
  if (dry_run) {
    query["dryRun"] = "All";
  }
}

std::string_view to_string(PropagationPolicy policy) {
  switch (policy) {
    case PropagationPolicy::Orphan:
      return "Orphan";
    case PropagationPolicy::Background:
      return "Background";
    case PropagationPolicy::Foreground:
      return "Foreground";
  }
  return "Background";
}

}  // namespace

std::string_view content_type(PatchType type) {
  switch (type) {
    case PatchType::Merge:
      return "application/merge-patch+json";
    case PatchType::Json:
      return "application/json-patch+json";
    case PatchType::Apply:
      return "application/apply-patch+yaml";
    case PatchType::StrategicMerge:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

std::string to_query(const GetOptions& options) {
  Query query;
  set_if(query, "resourceVersion", options.resource_version);
  return encode(query);
}

std::string to_query(const ListOptions& options) {
  Query query;
  set_if(query, "labelSelector", options.label_selector);
  set_if(query, "fieldSelector", options.field_selector);
  if (options.limit > 0) {
    query["limit"] = std::to_string(options.limit);
  }
  set_if(query, "continue", options.continue_token);
  set_if(query, "resourceVersion", options.resource_version);
  set_if(query, "resourceVersionMatch", options.resource_version_match);
  if (options.timeout_seconds) {
    query["timeoutSeconds"] = std::to_string(*options.timeout_seconds);
  }
  return encode(query);
}

std::string to_query(const WatchOptions& options) {
  Query query;
  query["watch"] = "true";
  if (options.allow_bookmarks) {
    query["allowWatchBookmarks"] = "true";
  }
  set_if(query, "labelSelector", options.label_selector);
  set_if(query, "fieldSelector", options.field_selector);
  set_if(query, "resourceVersion", options.resource_version);
  if (options.timeout_seconds) {
    query["timeoutSeconds"] = std::to_string(*options.timeout_seconds);
  }
  return encode(query);
}

std::string to_query(const WriteOptions& options) {
  Query query;
  add_write_options(query, options.field_manager, options.dry_run, options.field_validation);
  return encode(query);
}

std::string to_query(const PatchOptions& options) {
  Query query;
  add_write_options(query, options.field_manager, options.dry_run, options.field_validation);
  if (options.force) {
    query["force"] = *options.force ? "true" : "false";
  }
  return encode(query);
}

std::string to_json(const DeleteOptions& options) {
  if (!options.preconditions && !options.propagation_policy && !options.grace_period_seconds &&
      !options.dry_run) {
    return "";
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  if (options.grace_period_seconds) {
    writer.Key("gracePeriodSeconds");
    writer.Int64(*options.grace_period_seconds);
  }
  if (options.preconditions) {
    writer.Key("preconditions");
    writer.StartObject();
    if (options.preconditions->uid) {
      writer.Key("uid");
      writer.String(options.preconditions->uid->c_str(),
                    static_cast<rapidjson::SizeType>(options.preconditions->uid->size()));
    }
    if (options.preconditions->resource_version) {
      const std::string& rv = *options.preconditions->resource_version;
      writer.Key("resourceVersion");
      writer.String(rv.c_str(), static_cast<rapidjson::SizeType>(rv.size()));
    }
    writer.EndObject();
  }
  if (options.propagation_policy) {
    const std::string_view policy = to_string(*options.propagation_policy);
    writer.Key("propagationPolicy");
    writer.String(policy.data(), static_cast<rapidjson::SizeType>(policy.size()));
  }
  if (options.dry_run) {
    writer.Key("dryRun");
    writer.StartArray();
    writer.String("All");
    writer.EndArray();
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace korder::kclient
