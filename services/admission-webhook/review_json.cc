#include "review_json.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "korder/api/json.h"
#include "korder/api/json_depth_limit.h"
#include "korder/api/pod.h"
#include "korder/base/hex.h"

namespace korder::webhook {
namespace {

// The generator JsonDocument::Populate calls: parses the NUL-terminated `text` in place.
struct InsituParse {
  char* text;
  rapidjson::ParseResult result;
  bool too_deep = false;

  bool operator()(api::JsonDocument& doc) {
    rapidjson::InsituStringStream stream(text);
    rapidjson::Reader reader(nullptr, 1024);  // a review's nesting fits without regrowing
    api::DepthLimitedHandler handler(doc);
    result = reader.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag |
                          rapidjson::kParseFullPrecisionFlag>(stream, handler);
    too_deep = handler.too_deep();
    return !result.IsError();
  }
};

// The fast path's in-place tokenizer for what reviews hold: the same grammar as RapidJSON's
// iterative in-situ parse and the same handler calls, so the document is the one RapidJSON
// builds; iterative (an explicit stack of open containers); strings scanned 16 bytes at a time
// (SSE2; byte by byte elsewhere).
// It parses only the forms it can reproduce exactly and gives up (false) on everything else:
// any syntax error, floating-point numbers and integers of 19 or more digits, \u escapes of
// surrogates or U+0000, control characters, nesting beyond kMaxJsonDepth (the handler refuses).
// The caller then parses the original text with RapidJSON, which answers with the document or
// with the error and its offset; so this path never decides what is an error. Needs `text`
// NUL-terminated at `end` and free of invalid UTF-8 (checked before).
class FastInsituParse {
 public:
  FastInsituParse(char* text, char* end, ReviewMembers members)
      : p_(text),
        end_(end),
        stack_(thread_stack()),
        kept_(members == ReviewMembers::kPodCodecs ? &pod_codec_members() : nullptr),
        value_context_(kept_ ? Context::kRoot : Context::kAll) {}

  bool operator()(api::JsonDocument& doc) {
    api::DepthLimitedHandler handler(doc);
    succeeded_ = parse(handler);
    return succeeded_;
  }

  /// Whether the document is complete (false: the caller parses with RapidJSON).
  bool succeeded() const { return succeeded_; }

 private:
  // Where a value sits, for ReviewMembers::kPodCodecs: the path to the pod's metadata, spec and
  // containers, whose members the codecs do not read are scanned (and checked) but not built.
  enum class Context : std::uint8_t {
    kAll,         // kept whole
    kSkip,        // scanned, not built
    kRoot,        // the review
    kRequest,     // .request
    kPod,         // .request.object
    kPodMeta,     // .request.object.metadata
    kPodSpec,     // .request.object.spec
    kContainers,  // .request.object.spec.containers, .initContainers
    kContainer,   // one element of those
  };

  struct Frame {
    bool object;
    Context context;
    rapidjson::SizeType count;  // members or elements handed to the handler
  };

  // A set of member names, looked up among the names of the key's length only (a linear scan
  // over a codec's few dozen names showed in profiles: every key of the pod is looked up).
  class NameSet {
   public:
    explicit NameSet(std::vector<std::string> names) : names_(std::move(names)) {
      for (const std::string& name : names_) {
        by_length_[std::min(name.size(), kLongest)].push_back(name);
      }
    }
    NameSet(const NameSet&) = delete;  // the views point into names_' own (small) strings
    NameSet& operator=(const NameSet&) = delete;
    bool contains(std::string_view key) const {
      for (const std::string_view name : by_length_[std::min(key.size(), kLongest)]) {
        if (name == key) {
          return true;
        }
      }
      return false;
    }

   private:
    static constexpr std::size_t kLongest = 40;  // longer names share the last list
    std::vector<std::string> names_;
    std::array<std::vector<std::string_view>, kLongest + 1> by_length_;
  };

  // The members of an ObjectMeta, a PodSpec and a Container the object model's codecs read.
  struct CodecMembers {
    NameSet object_meta{api::decoded_member_names<api::ObjectMeta>()};
    NameSet pod_spec{api::decoded_member_names<api::PodSpec>()};
    NameSet container{api::decoded_member_names<api::Container>()};
  };
  static const CodecMembers& pod_codec_members() {
    static const CodecMembers members;
    return members;
  }

  // The context of the value of member `key` of an object in context `parent`.
  Context member_context(Context parent, std::string_view key) const {
    switch (parent) {
      case Context::kRoot:
        return key == "request" ? Context::kRequest : Context::kAll;
      case Context::kRequest:
        return key == "object" ? Context::kPod : Context::kAll;
      case Context::kPod:
        return key == "spec"       ? Context::kPodSpec
               : key == "metadata" ? Context::kPodMeta
                                   : Context::kAll;
      case Context::kPodMeta:
        return kept_->object_meta.contains(key) ? Context::kAll : Context::kSkip;
      case Context::kPodSpec:
        if (key == "containers" || key == "initContainers") {
          return Context::kContainers;
        }
        return kept_->pod_spec.contains(key) ? Context::kAll : Context::kSkip;
      case Context::kContainer:
        return kept_->container.contains(key) ? Context::kAll : Context::kSkip;
      default:
        return Context::kAll;
    }
  }

  // The context of the elements of an array in context `parent`.
  static Context element_context(Context parent) {
    return parent == Context::kContainers ? Context::kContainer : Context::kAll;
  }

  static constexpr std::size_t kNotSkipping = static_cast<std::size_t>(-1);
  bool skipping() const { return skip_from_ != kNotSkipping; }

  void skip_space() {
    while (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t') {
      ++p_;
    }
  }

  // The first byte at or after `q` that is '"', '\\' or below 0x20 (the NUL at `end_` at last).
  const char* special(const char* q) const {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end_ - q >= 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      // Unsigned byte < 0x20 exactly when max(byte, 0x20) == 0x20 and byte != 0x20.
      const __m128i below_or_space = _mm_cmpeq_epi8(_mm_max_epu8(bytes, space), space);
      const __m128i control = _mm_andnot_si128(_mm_cmpeq_epi8(bytes, space), below_or_space);
      const __m128i hits = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)), control);
      const int mask = _mm_movemask_epi8(hits);
      if (mask != 0) {
        return q + __builtin_ctz(static_cast<unsigned>(mask));
      }
      q += 16;
    }
#endif
    while (*q != '"' && *q != '\\' && static_cast<unsigned char>(*q) >= 0x20) {
      ++q;
    }
    return q;
  }

  // At the opening quote; on success `str`/`length` name the unescaped string, NUL-terminated in
  // place, and p_ is past the closing quote.
  bool string(const char*& str, rapidjson::SizeType& length) {
    char* const start = ++p_;
    const char* q = special(start);
    if (*q == '"') {  // no escapes: the common case
      char* const close = start + (q - start);
      *close = '\0';
      str = start;
      length = static_cast<rapidjson::SizeType>(close - start);
      p_ = close + 1;
      return true;
    }
    char* out = start + (q - start);
    char* in = out;
    for (;;) {
      const char c = *in;
      if (c == '"') {
        *out = '\0';
        str = start;
        length = static_cast<rapidjson::SizeType>(out - start);
        p_ = in + 1;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        return false;  // a control character, or the end of the text
      }
      if (c != '\\') {
        *out++ = c;
        ++in;
        continue;
      }
      const char e = in[1];
      char simple = 0;
      switch (e) {
        case '"':
        case '\\':
        case '/':
          simple = e;
          break;
        case 'b':
          simple = '\b';
          break;
        case 'f':
          simple = '\f';
          break;
        case 'n':
          simple = '\n';
          break;
        case 'r':
          simple = '\r';
          break;
        case 't':
          simple = '\t';
          break;
        case 'u':
          break;
        default:
          return false;
      }
      if (simple != 0) {
        *out++ = simple;
        in += 2;
        continue;
      }
      unsigned code = 0;
      for (int k = 2; k < 6; ++k) {
        const int digit = hex_digit_value(in[k]);  // stops at the NUL (not a digit)
        if (digit < 0) {
          return false;
        }
        code = code * 16 + static_cast<unsigned>(digit);
      }
      if (code == 0 || (code >= 0xD800 && code <= 0xDFFF)) {
        return false;
      }
      // UTF-8 of at most 3 bytes in the 6 the escape took.
      if (code < 0x80) {
        *out++ = static_cast<char>(code);
      } else if (code < 0x800) {
        *out++ = static_cast<char>(0xC0 | (code >> 6));
        *out++ = static_cast<char>(0x80 | (code & 0x3F));
      } else {
        *out++ = static_cast<char>(0xE0 | (code >> 12));
        *out++ = static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        *out++ = static_cast<char>(0x80 | (code & 0x3F));
      }
      in += 6;
    }
  }

  // RapidJSON's integer forms: Uint/Int when 32 bits hold the value, else Uint64/Int64.
  bool number(api::DepthLimitedHandler& handler) {
    const bool minus = *p_ == '-';
    if (minus) {
      ++p_;
    }
    const char* const digits = p_;
    std::uint64_t v = 0;
    while (*p_ >= '0' && *p_ <= '9') {
      v = v * 10 + static_cast<std::uint64_t>(*p_ - '0');
      ++p_;
    }
    const std::ptrdiff_t n = p_ - digits;
    if (n == 0 || n > 18 || (digits[0] == '0' && n > 1) || *p_ == '.' || *p_ == 'e' || *p_ == 'E') {
      return false;
    }
    if (skipping()) {
      return true;
    }
    if (minus) {
      if (v <= 2147483648ULL) {
        return handler.Int(static_cast<std::int32_t>(~static_cast<std::uint32_t>(v) + 1));
      }
      return handler.Int64(static_cast<std::int64_t>(~v + 1));
    }
    if (v <= 4294967295ULL) {
      return handler.Uint(static_cast<unsigned>(v));
    }
    return handler.Uint64(v);
  }

  bool literal(const char* word, std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) {
      return false;
    }
    p_ += n;
    return true;
  }

  bool parse(api::DepthLimitedHandler& handler) {
    stack_.clear();
    skip_space();
    for (;;) {
      // A value.
      const char* str = nullptr;
      rapidjson::SizeType length = 0;
      bool ok = false;
      switch (*p_) {
        case '{':
        case '[': {
          // Too deep: the handler would refuse it, but sees nothing of a member left out.
          if (stack_.size() >= static_cast<std::size_t>(api::kMaxJsonDepth)) {
            return false;
          }
          const bool object = *p_ == '{';
          ++p_;
          if (!skipping() && !(object ? handler.StartObject() : handler.StartArray())) {
            return false;
          }
          skip_space();
          if (*p_ == (object ? '}' : ']')) {
            ++p_;
            ok = skipping() || (object ? handler.EndObject(0) : handler.EndArray(0));
            break;
          }
          stack_.push_back(Frame{object, value_context_, 0});
          if (object ? (*p_ != '"' || !key(handler)) : !element()) {
            return false;
          }
          continue;
        }
        case '"':
          ok = string(str, length) && (skipping() || handler.String(str, length, false));
          break;
        case 't':
          ok = literal("true", 4) && (skipping() || handler.Bool(true));
          break;
        case 'f':
          ok = literal("false", 5) && (skipping() || handler.Bool(false));
          break;
        case 'n':
          ok = literal("null", 4) && (skipping() || handler.Null());
          break;
        default:
          ok = (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) && number(handler);
          break;
      }
      if (!ok) {
        return false;
      }
      // After a value: the next member or element, or the ends of containers.
      for (;;) {
        skip_space();
        if (stack_.empty()) {
          return p_ == end_;  // RapidJSON: nothing but whitespace after the root
        }
        Frame& top = stack_.back();
        if (skip_from_ == stack_.size()) {
          skip_from_ = kNotSkipping;  // a member left out ends: not counted
        } else {
          ++top.count;
        }
        if (*p_ == ',') {
          ++p_;
          skip_space();
          if (top.object ? (*p_ != '"' || !key(handler)) : !element()) {
            return false;
          }
          break;  // the next value
        }
        if (*p_ == (top.object ? '}' : ']')) {
          ++p_;
          const rapidjson::SizeType count = top.count;
          const bool object = top.object;
          stack_.pop_back();
          if (!skipping() && !(object ? handler.EndObject(count) : handler.EndArray(count))) {
            return false;
          }
          continue;  // the container was a value of its parent
        }
        return false;
      }
    }
  }

  // At a key's opening quote: the key, the colon, and the whitespace before the value, whose
  // context it sets (and where a member left out begins).
  bool key(api::DepthLimitedHandler& handler) {
    const char* str = nullptr;
    rapidjson::SizeType length = 0;
    if (!string(str, length)) {
      return false;
    }
    if (skipping()) {
      value_context_ = Context::kSkip;
    } else {
      value_context_ = member_context(stack_.back().context, std::string_view(str, length));
      if (value_context_ == Context::kSkip) {
        skip_from_ = stack_.size();
      } else if (!handler.Key(str, length, false)) {
        return false;
      }
    }
    skip_space();
    if (*p_ != ':') {
      return false;
    }
    ++p_;
    skip_space();
    return true;
  }

  // Before an array's element: its context.
  bool element() {
    value_context_ = element_context(stack_.back().context);
    return true;
  }

  // The open containers: one vector per thread, kept between parses (no allocation per review).
  static std::vector<Frame>& thread_stack() {
    thread_local std::vector<Frame> stack;
    return stack;
  }

  char* p_;
  char* const end_;
  std::vector<Frame>& stack_;
  const CodecMembers* kept_;              // null: every member is kept
  Context value_context_;                 // of the value about to be parsed
  std::size_t skip_from_ = kNotSkipping;  // the depth of the member being left out
  bool succeeded_ = false;
};

ParseError syntax_error(std::string message, std::size_t offset) {
  return ParseError{"invalid JSON: " + std::move(message), "offset " + std::to_string(offset)};
}

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    // ASCII runs, sixteen (SSE2) or eight bytes at a time.
#if defined(__SSE2__)
    if (i + 16 <= size) {
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + i));
      if (_mm_movemask_epi8(block) == 0) {
        i += 16;
        continue;
      }
    }
#endif
    if (i + 8 <= size) {
      std::uint64_t word;
      std::memcpy(&word, bytes + i, sizeof(word));
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // The Unicode standard's table of well-formed sequences (Table 3-7).
    std::size_t length = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      lo = c == 0xE0 ? 0xA0 : 0x80;
      hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      lo = c == 0xF0 ? 0x90 : 0x80;
      hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
      return i;
    }
    if (i + length > size || bytes[i + 1] < lo || bytes[i + 1] > hi) {
      return i;
    }
    for (std::size_t k = 2; k < length; ++k) {
      if (!continuation(bytes[i + k])) {
        return i;
      }
    }
    i += length;
  }
  return std::nullopt;
}

namespace {

// The fast path on a body already known to hold no NUL byte.
bool parse_fast_without_nul(std::string& body, api::JsonDocument& doc, ReviewMembers members) {
  if (first_invalid_utf8(body)) {
    return false;
  }
  // data() is NUL-terminated
  FastInsituParse fast(body.data(), body.data() + body.size(), members);
  doc.Populate(fast);  // leaves `doc` as it was when the generator fails
  return fast.succeeded();
}

}  // namespace

bool parse_review_json_fast(std::string& body, api::JsonDocument& doc, ReviewMembers members) {
  return std::memchr(body.data(), '\0', body.size()) == nullptr &&
         parse_fast_without_nul(body, doc, members);
}

Expected<void, ParseError> parse_review_json(std::string& body, api::JsonDocument& doc,
                                             ReviewMembers members) {
  // The fast path parses `body` in place; when it gives up, RapidJSON reads the original. A
  // body with a NUL byte is an error: RapidJSON's path alone reports it. Without backslashes,
  // the fast path's only writes are NULs over closing quotes, so the original needs no copy:
  // those NULs turn back into quotes.
  const bool has_nul = std::memchr(body.data(), '\0', body.size()) != nullptr;
  const bool plain = !has_nul && std::memchr(body.data(), '\\', body.size()) == nullptr;
  std::string original;
  if (!plain) {
    original = body;
  }
  if (!has_nul && parse_fast_without_nul(body, doc, members)) {
    return {};
  }
  if (plain) {
    std::replace(body.begin(), body.end(), '\0', '"');
    original = body;  // for the error below only
  } else {
    body.assign(original);  // same size: no reallocation
  }
  auto parsed = parse_review_json_rapidjson(body, doc);
  if (!parsed) {
    // The error api::parse_json reports: the UTF-8 check above runs over the whole body first,
    // where api::parse_json meets an earlier syntax error first. Errors only: cost is no matter.
    api::JsonDocument reference;
    if (auto verdict = api::parse_json(original, reference); !verdict) {
      return Unexpected(std::move(verdict).error());
    }
  }
  return parsed;
}

Expected<void, ParseError> parse_review_json_rapidjson(std::string& body, api::JsonDocument& doc) {
  if (const void* nul = std::memchr(body.data(), '\0', body.size())) {
    return Unexpected(syntax_error(
        "NUL byte", static_cast<std::size_t>(static_cast<const char*>(nul) - body.data())));
  }
  if (const auto bad = first_invalid_utf8(body)) {
    return Unexpected(syntax_error("Invalid encoding in string.", *bad));
  }
  InsituParse parse{body.data(), {}, false};  // data() is NUL-terminated
  doc.Populate(parse);
  if (parse.too_deep) {
    return Unexpected(
        syntax_error("nested deeper than " + std::to_string(api::kMaxJsonDepth) + " levels",
                     parse.result.Offset()));
  }
  if (parse.result.IsError()) {
    return Unexpected(
        syntax_error(rapidjson::GetParseError_En(parse.result.Code()), parse.result.Offset()));
  }
  return {};
}

}  // namespace korder::webhook
