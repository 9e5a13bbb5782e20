#include "audit.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace korder::devcluster {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string audit_json(const AuditEntry& entry) {
  const RequestAttributes& a = entry.attributes;
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  put(w, "time", entry.time);
  put(w, "user", a.user.name);
  w.Key("groups");
  w.StartArray();
  for (const auto& group : a.user.groups) {
    w.String(group.data(), static_cast<rapidjson::SizeType>(group.size()));
  }
  w.EndArray();
  put(w, "verb", a.verb);
  if (a.resource_request) {
    put(w, "apiGroup", a.api_group);
    put(w, "apiVersion", a.api_version);
    put(w, "resource", a.resource);
    put(w, "subresource", a.subresource);
    put(w, "namespace", a.namespace_);
    put(w, "name", a.name);
  } else {
    put(w, "path", a.path);
  }
  w.Key("code");
  w.Int(entry.code);
  if (!entry.decision.empty()) {
    put(w, "decision", entry.decision);
  }
  if (!entry.check.empty()) {
    put(w, "check", entry.check);
  }
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

AuditLog::~AuditLog() {
  if (file_ != nullptr) {
    std::fclose(file_);
  }
}

Expected<void, std::string> AuditLog::open(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    return Unexpected("--audit-log-path: cannot open \"" + path + "\" for appending");
  }
  std::lock_guard lock(mu_);
  if (file_ != nullptr) {
    std::fclose(file_);
  }
  file_ = file;
  return {};
}

void AuditLog::record(const AuditEntry& entry) {
  std::string line = audit_json(entry);
  std::lock_guard lock(mu_);
  if (file_ != nullptr) {
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fputc('\n', file_);
    std::fflush(file_);
  }
  lines_.push_back(std::move(line));
  while (lines_.size() > keep_) {
    lines_.pop_front();
  }
}

std::string AuditLog::json_lines() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& line : lines_) {
    out += line;
    out += '\n';
  }
  return out;
}

std::size_t AuditLog::size() const {
  std::lock_guard lock(mu_);
  return lines_.size();
}

}  // namespace korder::devcluster
