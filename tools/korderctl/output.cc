#include "output.h"

#include <google/protobuf/util/json_util.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>

#include "korder/api/time.h"

namespace korder::ctl {
namespace {

namespace v1 = quota::v1;

std::string message_json(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.add_whitespace = pretty;
  std::string out;
  // Serialising our own well-formed messages cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

std::string structured(const google::protobuf::Message& message, OutputFormat format) {
  const std::string json = message_json(message, format == OutputFormat::Json);
  return format == OutputFormat::Json ? json : json_to_yaml(json);
}

const v1::ResourceUsage* find_resource(const v1::QuotaUsage& quota, const std::string& key) {
  for (const v1::ResourceUsage& r : quota.resources()) {
    if (r.resource() == key) {
      return &r;
    }
  }
  return nullptr;
}

std::string used_of(const v1::QuotaUsage& quota, const std::string& key) {
  const v1::ResourceUsage* r = find_resource(quota, key);
  return r == nullptr ? "-" : r->used() + "/" + r->hard();
}

std::string or_dash(const std::string& text) { return text.empty() ? "-" : text; }

std::string windows_of(const v1::QuotaUsage& quota) {
  std::string out;
  for (const std::string& w : quota.active_time_windows()) {
    out += (out.empty() ? "" : ",") + w;
  }
  return or_dash(out);
}

void emit(YAML::Emitter& out, const rapidjson::Value& value) {
  if (value.IsObject()) {
    out << YAML::BeginMap;
    for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
      out << YAML::Key << it->name.GetString() << YAML::Value;
      emit(out, it->value);
    }
    out << YAML::EndMap;
  } else if (value.IsArray()) {
    out << YAML::BeginSeq;
    for (const auto& item : value.GetArray()) {
      emit(out, item);
    }
    out << YAML::EndSeq;
  } else if (value.IsString()) {
    out << YAML::DoubleQuoted << value.GetString();
  } else if (value.IsBool()) {
    out << (value.GetBool() ? "true" : "false");
  } else if (value.IsNull()) {
    out << YAML::Null;
  } else if (value.IsInt64()) {
    out << value.GetInt64();
  } else if (value.IsUint64()) {
    out << value.GetUint64();
  } else {
    out << value.GetDouble();
  }
}

}  // namespace

Table::Table(std::vector<std::string> headers) { rows_.push_back(std::move(headers)); }

void Table::add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

std::string Table::render() const {
  std::vector<std::size_t> widths;
  for (const auto& row : rows_) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(widths[i] - row[i].size() + 3, ' ');
      }
    }
    out += line + "\n";
  }
  return out;
}

std::string json_to_yaml(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.c_str(), json.size());
  YAML::Emitter out;
  emit(out, document);
  return std::string(out.c_str()) + "\n";
}

std::string render_quota_list(const std::vector<v1::QuotaUsage>& quotas, OutputFormat format) {
  if (format != OutputFormat::Table) {
    v1::ListQuotasResponse list;
    for (const v1::QuotaUsage& q : quotas) {
      *list.add_quotas() = q;
    }
    return structured(list, format);
  }
  Table table({"NAME", "SCOPE", "ORDERS", "TICKETS", "CPU", "MEMORY", "WINDOW", "EXCEEDED"});
  for (const v1::QuotaUsage& q : quotas) {
    table.add_row({q.name(), q.scope_type(), used_of(q, "orders"), used_of(q, "tickets"),
                   used_of(q, "reserved.cpu"), used_of(q, "reserved.memory"), windows_of(q),
                   q.valid() ? (q.exceeded() ? "True" : "False") : "Invalid"});
  }
  return table.render();
}

std::string render_quota(const v1::QuotaUsage& q, OutputFormat format) {
  if (format != OutputFormat::Table) {
    return structured(q, format);
  }
  std::ostringstream out;
  out << "Name:             " << q.name() << "\n";
  out << "Scope:            " << q.scope_type() << "\n";
  out << "Active window:    " << windows_of(q) << "\n";
  out << "Next transition:  "
      << (q.has_next_transition()
              ? api::format_rfc3339(TimePoint(std::chrono::seconds(q.next_transition().seconds())))
              : std::string("-"))
      << "\n";
  out << "Exceeded:         " << (q.exceeded() ? "True" : "False") << "\n";
  if (!q.valid()) {
    out << "Invalid:          " << q.problem() << "\n";
  }
  out << "\n";
  Table table({"RESOURCE", "HARD", "USED", "HELD", "FREE"});
  for (const v1::ResourceUsage& r : q.resources()) {
    table.add_row(
        {r.resource(), r.hard(), or_dash(r.used()), or_dash(r.held()), or_dash(r.free())});
  }
  out << table.render();
  if (q.allocations_size() > 0) {
    out << "\nAllocations:\n";
    Table allocations({"NAMESPACE", "RESOURCE", "HARD", "USED", "HELD", "FREE"});
    for (const v1::AllocationUsage& a : q.allocations()) {
      for (const v1::ResourceUsage& r : a.resources()) {
        allocations.add_row({a.namespace_(), r.resource(), r.hard(), or_dash(r.used()),
                             or_dash(r.held()), or_dash(r.free())});
      }
    }
    out << allocations.render();
  }
  return out.str();
}

std::string render_namespace_usage(const std::string& ns, const std::vector<v1::QuotaUsage>& quotas,
                                   OutputFormat format) {
  if (format != OutputFormat::Table) {
    v1::GetUsageResponse response;
    for (const v1::QuotaUsage& q : quotas) {
      *response.add_quotas() = q;
    }
    return structured(response, format);
  }
  if (quotas.empty()) {
    return "no quota covers namespace " + ns + "\n";
  }
  Table table({"QUOTA", "RESOURCE", "LIMIT", "USED", "HELD", "FREE"});
  for (const v1::QuotaUsage& q : quotas) {
    for (const v1::ResourceUsage& r : q.resources()) {
      table.add_row({q.name(), r.resource(), r.hard(), or_dash(r.used()), or_dash(r.held()),
                     or_dash(r.free())});
    }
    for (const v1::AllocationUsage& a : q.allocations()) {
      if (a.namespace_() != ns) {
        continue;
      }
      for (const v1::ResourceUsage& r : a.resources()) {
        table.add_row({q.name() + " (allocation " + ns + ")", r.resource(), r.hard(),
                       or_dash(r.used()), or_dash(r.held()), or_dash(r.free())});
      }
    }
  }
  return table.render();
}

std::string render_watch_message(const v1::WatchUsageResponse& message, TimePoint now,
                                 OutputFormat format) {
  if (format == OutputFormat::Json) {
    return message_json(message, false) + "\n";
  }
  if (format == OutputFormat::Yaml) {
    return "---\n" + json_to_yaml(message_json(message, false));
  }
  std::string out;
  const std::string time = api::format_rfc3339(now);
  for (const v1::QuotaUsage& q : message.quotas()) {
    std::string line = time + " " + q.name();
    for (const v1::ResourceUsage& r : q.resources()) {
      if (r.used().empty()) {
        continue;  // max-duration
      }
      line += " " + r.resource() + "=" + r.used() + "/" + r.hard();
      if (!r.held().empty() && r.held() != "0") {
        line += "(+" + r.held() + " held)";
      }
    }
    if (q.active_time_windows_size() > 0) {
      line += " window=" + windows_of(q);
    }
    if (q.exceeded()) {
      line += " EXCEEDED";
    }
    out += line + "\n";
  }
  for (const std::string& name : message.deleted()) {
    out += time + " " + name + " deleted\n";
  }
  return out;
}

std::string render_check(const std::vector<CheckResult>& results, OutputFormat format) {
  if (format == OutputFormat::Table) {
    std::string out;
    for (const CheckResult& r : results) {
      out += r.kind + " " + r.namespace_ + "/" + r.name + ": " +
             (r.response.allowed() ? "allowed" : "denied: " + r.response.message()) + "\n";
      for (const std::string& warning : r.response.warnings()) {
        out += "  warning: " + warning + "\n";
      }
    }
    return out;
  }
  rapidjson::Document doc(rapidjson::kArrayType);
  auto& alloc = doc.GetAllocator();
  for (const CheckResult& r : results) {
    rapidjson::Document response;
    response.Parse(message_json(r.response, false).c_str());
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("kind", rapidjson::Value(r.kind.c_str(), alloc), alloc);
    item.AddMember("namespace", rapidjson::Value(r.namespace_.c_str(), alloc), alloc);
    item.AddMember("name", rapidjson::Value(r.name.c_str(), alloc), alloc);
    for (auto it = response.MemberBegin(); it != response.MemberEnd(); ++it) {
      item.AddMember(rapidjson::Value(it->name, alloc), rapidjson::Value(it->value, alloc), alloc);
    }
    doc.PushBack(item, alloc);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  const std::string json = buffer.GetString();
  return format == OutputFormat::Json ? json + "\n" : json_to_yaml(json);
}

std::string render_fires(const std::vector<std::string>& fires, OutputFormat format) {
  if (format == OutputFormat::Table) {
    std::string out;
    for (const std::string& f : fires) {
      out += f + "\n";
    }
    return out;
  }
  rapidjson::Document doc(rapidjson::kArrayType);
  for (const std::string& f : fires) {
    doc.PushBack(rapidjson::Value(f.c_str(), doc.GetAllocator()), doc.GetAllocator());
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  const std::string json = buffer.GetString();
  return format == OutputFormat::Json ? json + "\n" : json_to_yaml(json);
}

}  // namespace korder::ctl
