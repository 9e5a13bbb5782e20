#pragma once

// The SAX handler behind every parse of untrusted JSON (api::parse_json, the webhook's in-place
// review parse): forwards events to a document while counting nesting, so over-deep input stops
// the parse. RapidJSON's iterative parser itself has no depth limit; the DOM it builds would make
// recursive writers, copies and comparisons overflow the stack.

#include <rapidjson/document.h>

#include <cstdint>

#include "korder/api/json.h"

namespace korder::api {

/// Forwards to `doc`; fails the parse (too_deep()) beyond kMaxJsonDepth levels of nesting.
class DepthLimitedHandler {
 public:
  explicit DepthLimitedHandler(JsonDocument& doc) : doc_(doc) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(std::int64_t i) { return doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return doc_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc_.Key(s, n, copy); }
  bool StartObject() { return enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return doc_.EndObject(members);
  }
  bool StartArray() { return enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return doc_.EndArray(elements);
  }

  /// Whether the parse stopped because the input nests deeper than kMaxJsonDepth.
  bool too_deep() const { return too_deep_; }

 private:
  bool enter() {
    if (++depth_ > kMaxJsonDepth) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  JsonDocument& doc_;
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace korder::api
