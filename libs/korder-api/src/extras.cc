#include "korder/api/extras.h"

#include <rapidjson/document.h>

#include "korder/api/json.h"
#include "korder/base/check.h"

namespace korder::api {

Expected<Extras, ParseError> Extras::parse(std::string_view object_json) {
  JsonDocument doc;
  if (auto parsed = parse_json(object_json, doc); !parsed) {
    return Unexpected(std::move(parsed).error());
  }
  if (!doc.IsObject()) {
    return Unexpected(json_type_error("object", doc));
  }
  if (doc.MemberCount() == 0) {
    return Extras();
  }
  return Extras(std::make_shared<const std::string>(write_json(doc)));
}

std::string_view Extras::json() const {
  return json_ == nullptr ? std::string_view("{}") : std::string_view(*json_);
}

std::vector<std::string> Extras::keys() const {
  std::vector<std::string> keys;
  if (json_ == nullptr) {
    return keys;
  }
  JsonDocument doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(json_->data(), json_->size());
  KORDER_CHECK(!doc.HasParseError() && doc.IsObject(), "extras hold a JSON object");
  keys.reserve(doc.MemberCount());
  for (auto it = doc.MemberBegin(); it != doc.MemberEnd(); ++it) {
    keys.emplace_back(it->name.GetString(), it->name.GetStringLength());
  }
  return keys;
}

bool Extras::operator==(const Extras& other) const {
  if (json_ == other.json_) {
    return true;
  }
  return json_ != nullptr && other.json_ != nullptr && *json_ == *other.json_;
}

Expected<RawJson, ParseError> RawJson::parse(std::string_view json) {
  JsonDocument doc;
  if (auto parsed = parse_json(json, doc); !parsed) {
    return Unexpected(std::move(parsed).error());
  }
  RawJson raw;
  (void)from_json_value(doc, raw);  // cannot fail: parsed numbers are finite
  return raw;
}

std::string_view RawJson::json() const {
  return json_ == nullptr ? std::string_view() : std::string_view(*json_);
}

bool RawJson::operator==(const RawJson& other) const {
  if (json_ == other.json_) {
    return true;
  }
  return json_ != nullptr && other.json_ != nullptr && *json_ == *other.json_;
}

}  // namespace korder::api
