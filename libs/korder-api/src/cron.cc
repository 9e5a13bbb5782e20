#include "korder/api/cron.h"

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <absl/time/civil_time.h>
#include <absl/time/time.h>

#include "go_quote.h"
#include "korder/api/duration.h"

namespace korder::api {
namespace {

using internal::go_quote;

// How far next()/prev() look. Every satisfiable expression fires at least once in any eight
// years (the longest gap is a leap day across a non-leap century year), so ten is enough.
constexpr absl::Duration kHorizon = absl::Hours(24 * 366 * 10);

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"sun", "mon", "tue", "wed",
                                                           "thu", "fri", "sat"};
// Longest length of each month (February: 29), index 1-12.
constexpr std::array<int, 13> kMaxMonthDays = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// One of the five fields: its name in messages, bounds, and names (value = min + index).
struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  const std::string_view* names = nullptr;
  std::size_t name_count = 0;
};

constexpr FieldSpec kMinute{"minute", 0, 59};
constexpr FieldSpec kHour{"hour", 0, 23};
constexpr FieldSpec kDayOfMonth{"day of month", 1, 31};
constexpr FieldSpec kMonth{"month", 1, 12, kMonthNames.data(), kMonthNames.size()};
constexpr FieldSpec kDayOfWeek{"day of week", 0, 6, kWeekdayNames.data(), kWeekdayNames.size()};

// A parsed field: bit v set when value v matches; `star` is robfig's starBit (some list
// element is `*` or `?` with no step or a step of 1), which makes the field "unrestricted".
struct Field {
  std::uint64_t bits = 0;
  bool star = false;
};

std::uint64_t bit_range(int start, int end, int step) {
  std::uint64_t bits = 0;
  for (int v = start; v <= end; v += step) {
    bits |= std::uint64_t{1} << v;
  }
  return bits;
}

// The whole parsed schedule. `every_seconds` > 0 marks `@every`, which ignores the fields.
struct CronSpec {
  std::uint64_t minutes = 0;
  std::uint64_t hours = 0;
  std::uint64_t doms = 0;
  std::uint64_t months = 0;
  std::uint64_t dows = 0;
  bool hour_star = false;
  bool dom_star = false;
  bool dow_star = false;
  bool satisfiable = true;
  std::int64_t every_seconds = 0;
};

// What next() and prev() evaluate: the parsed fields in a zone.
struct Rules {
  CronSpec spec;
  absl::TimeZone zone;
};

}  // namespace

struct CronSchedule::Impl {
  std::string expression;
  std::string time_zone;
  Rules rules;
};

namespace {

ParseError parse_error(std::string message) { return ParseError{std::move(message), ""}; }

bool all_chars(std::string_view text, bool (*pred)(char)) {
  return !text.empty() && std::all_of(text.begin(), text.end(), pred);
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = text.find(sep, begin);
    parts.push_back(text.substr(begin, end == std::string_view::npos ? end : end - begin));
    if (end == std::string_view::npos) {
      return parts;
    }
    begin = end + 1;
  }
}

std::vector<std::string_view> split_fields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) {
      ++i;
    }
    const std::size_t begin = i;
    while (i < text.size() && !is_space(text[i])) {
      ++i;
    }
    if (i > begin) {
      fields.push_back(text.substr(begin, i - begin));
    }
  }
  return fields;
}

// Decimal digits to a value, saturating far above any field's range.
int digits_value(std::string_view digits) {
  int value = 0;
  for (const char c : digits) {
    value = std::min(value * 10 + (c - '0'), 1'000'000);
  }
  return value;
}

// One value of a range: a number within the field's bounds or (month, weekday) a name.
Expected<int, ParseError> parse_value(std::string_view token, std::string_view element,
                                      const FieldSpec& f) {
  const std::string name(f.name);
  if (token.empty()) {
    return Unexpected(parse_error(name + " " + go_quote(element) + " is missing a value"));
  }
  if (all_chars(token, is_digit)) {
    const int value = digits_value(token);
    if (value < f.min || value > f.max) {
      return Unexpected(parse_error(name + " " + std::string(token) + " out of range " +
                                    std::to_string(f.min) + "-" + std::to_string(f.max)));
    }
    return value;
  }
  if (f.names != nullptr && all_chars(token, is_alpha)) {
    const std::string wanted = lower(token);
    for (std::size_t i = 0; i < f.name_count; ++i) {
      if (f.names[i] == wanted) {
        return f.min + static_cast<int>(i);
      }
    }
    return Unexpected(parse_error("unknown " + name + " name " + go_quote(token)));
  }
  return Unexpected(parse_error(name + " " + go_quote(token) + " is not a number"));
}

Expected<int, ParseError> parse_step(std::string_view token, std::string_view element,
                                     const FieldSpec& f) {
  const std::string name(f.name);
  if (token.empty()) {
    return Unexpected(parse_error(name + " " + go_quote(element) + " is missing a value"));
  }
  if (!all_chars(token, is_digit)) {
    return Unexpected(parse_error(name + " step " + go_quote(token) + " is not a number"));
  }
  const int step = digits_value(token);
  // robfig (and so Kubernetes CronJob) accepts any positive step; one beyond the field's span
  // selects only the start value (`*/60` fires at minute 0). Schedules users already run as
  // CronJobs must mean the same here, so only a zero step is an error.
  if (step < 1) {
    return Unexpected(parse_error(name + " step " + std::string(token) +
                                  " must be a positive number"));
  }
  return step;
}

// One list element: `*`, `?`, `N`, `N-M`, each with an optional `/step`.
Expected<Field, ParseError> parse_element(std::string_view element, const FieldSpec& f) {
  const std::string name(f.name);
  const auto range_and_step = split(element, '/');
  if (range_and_step.size() > 2) {
    return Unexpected(parse_error(name + " " + go_quote(element) + " has too many slashes"));
  }
  int step = 1;
  if (range_and_step.size() == 2) {
    auto parsed = parse_step(range_and_step[1], element, f);
    if (!parsed) {
      return Unexpected(std::move(parsed).error());
    }
    step = *parsed;
  }
  const std::string_view range = range_and_step[0];
  if (range == "*" || range == "?") {
    return Field{bit_range(f.min, f.max, step), step == 1};
  }
  if (range.find_first_of("*?") != std::string_view::npos) {
    return Unexpected(
        parse_error(name + " " + go_quote(element) + ": * and ? cannot be part of a range"));
  }
  const auto low_and_high = split(range, '-');
  if (low_and_high.size() > 2) {
    return Unexpected(parse_error(name + " " + go_quote(element) + " has too many hyphens"));
  }
  auto start = parse_value(low_and_high[0], element, f);
  if (!start) {
    return Unexpected(std::move(start).error());
  }
  int end = *start;
  if (low_and_high.size() == 2) {
    auto parsed_end = parse_value(low_and_high[1], element, f);
    if (!parsed_end) {
      return Unexpected(std::move(parsed_end).error());
    }
    end = *parsed_end;
    if (*start > end) {
      return Unexpected(parse_error(name + " range " + go_quote(range) + " starts after it ends"));
    }
  } else if (range_and_step.size() == 2) {
    end = f.max;  // robfig: "N/step" means "N-max/step"
  }
  return Field{bit_range(*start, end, step), false};
}

Expected<Field, ParseError> parse_field(std::string_view text, const FieldSpec& f) {
  Field field;
  for (const std::string_view element : split(text, ',')) {
    if (element.empty()) {
      return Unexpected(
          parse_error(std::string(f.name) + " " + go_quote(text) + " has an empty list element"));
    }
    auto parsed = parse_element(element, f);
    if (!parsed) {
      return Unexpected(std::move(parsed).error());
    }
    field.bits |= parsed->bits;
    field.star = field.star || parsed->star;
  }
  return field;
}

// With day-of-week unrestricted and day-of-month restricted (the AND rule), some month must
// have one of the days; every other combination matches some day of every month.
bool satisfiable(const CronSpec& s) {
  if (s.dom_star || !s.dow_star) {
    return true;
  }
  for (int month = 1; month <= 12; ++month) {
    const std::uint64_t days_in_month = bit_range(1, kMaxMonthDays[month], 1);
    if ((s.months >> month & 1) != 0 && (s.doms & days_in_month) != 0) {
      return true;
    }
  }
  return false;
}

Expected<CronSpec, ParseError> parse_fields(std::string_view expr) {
  const auto fields = split_fields(expr);
  if (fields.size() != 5) {
    return Unexpected(parse_error("expected exactly 5 fields, found " +
                                  std::to_string(fields.size()) + ": " + go_quote(expr)));
  }
  const std::array<const FieldSpec*, 5> specs = {&kMinute, &kHour, &kDayOfMonth, &kMonth,
                                                 &kDayOfWeek};
  std::array<Field, 5> parsed;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto field = parse_field(fields[i], *specs[i]);
    if (!field) {
      return Unexpected(std::move(field).error());
    }
    parsed[i] = *field;
  }
  CronSpec spec;
  spec.minutes = parsed[0].bits;
  spec.hours = parsed[1].bits;
  spec.hour_star = parsed[1].star;
  spec.doms = parsed[2].bits;
  spec.dom_star = parsed[2].star;
  spec.months = parsed[3].bits;
  spec.dows = parsed[4].bits;
  spec.dow_star = parsed[4].star;
  spec.satisfiable = satisfiable(spec);
  return spec;
}

Expected<CronSpec, ParseError> parse_every(std::string_view descriptor) {
  std::string_view text = descriptor.substr(std::string_view("@every ").size());
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  // Go's time.ParseDuration, as robfig calls it.
  auto parsed = Duration::parse(text);
  if (!parsed) {
    return Unexpected(parse_error("failed to parse duration " + go_quote(descriptor) + ": " +
                                  parsed.error().message));
  }
  // robfig rounds a shorter interval up to one second; a reservation every second (or a
  // negative interval) is a mistake, so it is refused here.
  const std::chrono::nanoseconds d = parsed->nanoseconds();
  if (d < std::chrono::seconds(1)) {
    return Unexpected(parse_error("@every interval " + go_quote(text) + " is less than 1s"));
  }
  CronSpec spec;
  // robfig drops the sub-second part.
  spec.every_seconds = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return spec;
}

CronSpec fixed_spec(int dom, int month, int dow, bool every_hour) {
  CronSpec spec;
  spec.minutes = 1;
  spec.hours = every_hour ? bit_range(0, 23, 1) : 1;
  spec.hour_star = every_hour;
  spec.dom_star = dom == 0;
  spec.doms = spec.dom_star ? bit_range(1, 31, 1) : std::uint64_t{1} << dom;
  spec.months = month == 0 ? bit_range(1, 12, 1) : std::uint64_t{1} << month;
  spec.dow_star = dow < 0;
  spec.dows = spec.dow_star ? bit_range(0, 6, 1) : std::uint64_t{1} << dow;
  return spec;
}

// robfig's descriptors; 0 (or -1 for the weekday) means "every".
Expected<CronSpec, ParseError> parse_descriptor(std::string_view d) {
  if (d == "@yearly" || d == "@annually") {
    return fixed_spec(1, 1, -1, false);
  }
  if (d == "@monthly") {
    return fixed_spec(1, 0, -1, false);
  }
  if (d == "@weekly") {
    return fixed_spec(0, 0, 0, false);
  }
  if (d == "@daily" || d == "@midnight") {
    return fixed_spec(0, 0, -1, false);
  }
  if (d == "@hourly") {
    return fixed_spec(0, 0, -1, true);
  }
  if (d.substr(0, 7) == "@every ") {
    return parse_every(d);
  }
  return Unexpected(parse_error("unrecognized descriptor " + go_quote(d)));
}

Expected<CronSpec, ParseError> parse_spec(std::string_view expr) {
  // Kubernetes rejects any schedule containing "TZ" (robfig's TZ=/CRON_TZ= prefixes).
  if (expr.find("TZ") != std::string_view::npos) {
    return Unexpected(
        parse_error("cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  }
  std::string_view trimmed = expr;
  while (!trimmed.empty() && is_space(trimmed.front())) {
    trimmed.remove_prefix(1);
  }
  while (!trimmed.empty() && is_space(trimmed.back())) {
    trimmed.remove_suffix(1);
  }
  if (!trimmed.empty() && trimmed.front() == '@') {
    return parse_descriptor(trimmed);
  }
  return parse_fields(expr);
}

// Kubernetes' CronJob rules for spec.timeZone, then the zone database.
Expected<absl::TimeZone, ParseError> load_zone(std::string_view name) {
  if (name.empty()) {
    return absl::UTCTimeZone();
  }
  const std::string lowered = lower(name);
  if (lowered == "local" || lowered == "localtime") {
    return Unexpected(parse_error("time zone " + go_quote(name) +
                                  " is not allowed: name an IANA time zone such as "
                                  "\"Europe/Berlin\""));
  }
  // Components of 1-14 of [A-Za-z0-9._+-], not "." or "..", not starting with "-": this also
  // keeps names from reaching outside the zone database directory.
  for (const std::string_view part : split(name, '/')) {
    const bool ok_chars = std::all_of(part.begin(), part.end(), [](char c) {
      return is_alpha(c) || is_digit(c) || c == '.' || c == '-' || c == '_' || c == '+';
    });
    if (part.empty() || part.size() > 14 || !ok_chars || part == "." || part == ".." ||
        part.front() == '-') {
      return Unexpected(parse_error("unknown time zone " + go_quote(name)));
    }
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(std::string(name), &zone)) {
    return Unexpected(parse_error("unknown time zone " + go_quote(name)));
  }
  return zone;
}

// ---- Civil-time search (zone-free): the next/previous minute whose fields match. ----

int next_bit(std::uint64_t mask, int from) {
  const std::uint64_t m = mask & (~std::uint64_t{0} << from);
  return m == 0 ? -1 : std::countr_zero(m);
}

int prev_bit(std::uint64_t mask, int from) {
  const std::uint64_t m = from >= 63 ? mask : mask & ((std::uint64_t{2} << from) - 1);
  return m == 0 ? -1 : 63 - std::countl_zero(m);
}

bool has(std::uint64_t mask, int v) { return (mask >> v & 1) != 0; }

bool day_matches(const CronSpec& s, absl::CivilDay day) {
  const int weekday = (static_cast<int>(absl::GetWeekday(day)) + 1) % 7;  // Sunday = 0
  const bool dom = has(s.doms, day.day());
  const bool dow = has(s.dows, weekday);
  return (s.dom_star || s.dow_star) ? (dom && dow) : (dom || dow);
}

// The first matching minute c with from <= c <= limit. Skips whole months, days and hours.
std::optional<absl::CivilMinute> next_civil(const CronSpec& s, absl::CivilMinute c,
                                            absl::CivilMinute limit) {
  while (c <= limit) {
    if (!has(s.months, c.month())) {
      c = absl::CivilMinute(absl::CivilMonth(c) + 1);
      continue;
    }
    if (!day_matches(s, absl::CivilDay(c))) {
      c = absl::CivilMinute(absl::CivilDay(c) + 1);
      continue;
    }
    const int hour = next_bit(s.hours, c.hour());
    if (hour < 0) {
      c = absl::CivilMinute(absl::CivilDay(c) + 1);
      continue;
    }
    const int minute = next_bit(s.minutes, hour == c.hour() ? c.minute() : 0);
    if (minute < 0) {
      c = absl::CivilMinute(absl::CivilHour(c.year(), c.month(), c.day(), hour) + 1);
      continue;
    }
    c = absl::CivilMinute(c.year(), c.month(), c.day(), hour, minute);
    return c <= limit ? std::optional(c) : std::nullopt;
  }
  return std::nullopt;
}

// The last matching minute c with limit <= c <= from.
std::optional<absl::CivilMinute> prev_civil(const CronSpec& s, absl::CivilMinute c,
                                            absl::CivilMinute limit) {
  while (c >= limit) {
    if (!has(s.months, c.month())) {
      c = absl::CivilMinute(absl::CivilMonth(c)) - 1;
      continue;
    }
    if (!day_matches(s, absl::CivilDay(c))) {
      c = absl::CivilMinute(absl::CivilDay(c)) - 1;
      continue;
    }
    const int hour = prev_bit(s.hours, c.hour());
    if (hour < 0) {
      c = absl::CivilMinute(absl::CivilDay(c)) - 1;
      continue;
    }
    const int minute = prev_bit(s.minutes, hour == c.hour() ? c.minute() : 59);
    if (minute < 0) {
      c = absl::CivilMinute(absl::CivilHour(c.year(), c.month(), c.day(), hour)) - 1;
      continue;
    }
    c = absl::CivilMinute(c.year(), c.month(), c.day(), hour, minute);
    return c >= limit ? std::optional(c) : std::nullopt;
  }
  return std::nullopt;
}

// ---- Zone mapping. ----

absl::CivilMinute ceil_minute(absl::CivilSecond cs) {
  const absl::CivilMinute floor(cs);
  return absl::CivilSecond(floor) == cs ? floor : floor + 1;
}

// The civil time of `t` under a fixed UTC offset, and back.
absl::CivilSecond civil_at_offset(absl::Time t, int offset) {
  return absl::ToCivilSecond(t + absl::Seconds(offset), absl::UTCTimeZone());
}
absl::Time time_at_offset(absl::CivilMinute c, int offset) {
  return absl::FromCivil(c, absl::UTCTimeZone()) - absl::Seconds(offset);
}

// The instant at which the transition `tr` happens.
absl::Time transition_time(const absl::TimeZone& zone, const absl::TimeZone::CivilTransition& tr) {
  return zone.At(tr.to).trans;
}

// Hour restricted: civil fire time C fires at f(C): its only instant, its first occurrence if
// repeated, the transition if skipped. f never decreases as C grows, so the first matching C
// with f(C) > after gives the answer.
absl::Time restricted_instant(const absl::TimeZone::TimeInfo& ti) {
  return ti.kind == absl::TimeZone::TimeInfo::SKIPPED ? ti.trans : ti.pre;
}

std::optional<absl::Time> next_restricted(const Rules& s, absl::Time after) {
  const absl::CivilMinute limit(s.zone.At(after + kHorizon).cs);
  absl::CivilMinute from = absl::CivilMinute(s.zone.At(after).cs) + 1;
  while (true) {
    const auto c = next_civil(s.spec, from, limit);
    if (!c) {
      return std::nullopt;
    }
    const auto ti = s.zone.At(absl::CivilSecond(*c));
    const absl::Time t = restricted_instant(ti);
    if (t > after) {
      return t;
    }
    // Only a repeated time seen from its second occurrence gets here: it already fired at
    // its first one, and so did the rest of the repeated range, which ends at the civil
    // reading of the transition under the old offset.
    from = ti.kind == absl::TimeZone::TimeInfo::REPEATED
               ? ceil_minute(absl::CivilSecond(*c) + absl::ToInt64Seconds(ti.trans - ti.pre))
               : *c + 1;
  }
}

std::optional<absl::Time> prev_restricted(const Rules& s, absl::Time at) {
  const absl::CivilMinute limit(s.zone.At(at - kHorizon).cs);
  const absl::CivilSecond civil = s.zone.At(at).cs;
  absl::CivilMinute upto(civil);
  const auto here = s.zone.At(civil);
  if (here.kind == absl::TimeZone::TimeInfo::REPEATED && at >= here.trans) {
    // `at` is in the second occurrence: the whole repeated range fired in its first one.
    upto = absl::CivilMinute(civil + absl::ToInt64Seconds(here.trans - here.pre) - 1);
  }
  while (true) {
    const auto c = prev_civil(s.spec, upto, limit);
    if (!c) {
      return std::nullopt;
    }
    const absl::Time t = restricted_instant(s.zone.At(absl::CivilSecond(*c)));
    if (t <= at) {
      return t;
    }
    upto = *c - 1;  // unreachable by the argument above; kept so the loop cannot return wrong
  }
}

// Hour unrestricted: walk the zone's offset segments; within one the offset is fixed, so
// the civil search maps straight to instants. A repeated range is searched in both
// segments (fires twice), a skipped one in neither (no fire).
std::optional<absl::Time> next_unrestricted(const Rules& s, absl::Time after) {
  const absl::Time horizon = after + kHorizon;
  absl::Time begin = after;
  auto info = s.zone.At(after);
  absl::CivilMinute from = absl::CivilMinute(info.cs) + 1;
  while (true) {
    absl::Time end = horizon;  // exclusive
    absl::TimeZone::CivilTransition tr;
    if (s.zone.NextTransition(begin, &tr)) {
      end = std::min(end, transition_time(s.zone, tr));
    }
    const absl::CivilMinute limit(civil_at_offset(end - absl::Nanoseconds(1), info.offset));
    if (const auto c = next_civil(s.spec, from, limit)) {
      return time_at_offset(*c, info.offset);
    }
    if (end >= horizon) {
      return std::nullopt;
    }
    begin = end;
    info = s.zone.At(begin);
    from = ceil_minute(info.cs);
  }
}

std::optional<absl::Time> prev_unrestricted(const Rules& s, absl::Time at) {
  const absl::Time horizon = at - kHorizon;
  absl::Time probe = at;  // an instant in the segment being searched
  auto info = s.zone.At(probe);
  absl::CivilMinute upto(info.cs);
  while (true) {
    absl::Time begin = horizon;
    absl::TimeZone::CivilTransition tr;
    // PrevTransition finds transitions strictly before its (whole-second) argument.
    const absl::Time whole = absl::FromUnixSeconds(absl::ToUnixSeconds(probe));
    if (s.zone.PrevTransition(whole + absl::Seconds(1), &tr)) {
      begin = std::max(begin, transition_time(s.zone, tr));
    }
    const absl::CivilMinute limit = ceil_minute(civil_at_offset(begin, info.offset));
    if (const auto c = prev_civil(s.spec, upto, limit)) {
      return time_at_offset(*c, info.offset);
    }
    if (begin <= horizon) {
      return std::nullopt;
    }
    probe = begin - absl::Nanoseconds(1);
    info = s.zone.At(probe);
    upto = absl::CivilMinute(info.cs);
  }
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

std::optional<TimePoint> to_time_point(std::optional<absl::Time> t) {
  if (!t || *t > absl::FromChrono(TimePoint::max()) || *t < absl::FromChrono(TimePoint::min())) {
    return std::nullopt;
  }
  return absl::ToChronoTime(*t);
}

}  // namespace

CronSchedule::CronSchedule(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Expected<CronSchedule, ParseError> CronSchedule::parse(std::string_view expr,
                                                       std::string_view time_zone) {
  auto spec = parse_spec(expr);
  if (!spec) {
    return Unexpected(std::move(spec).error());
  }
  auto zone = load_zone(time_zone);
  if (!zone) {
    return Unexpected(std::move(zone).error());
  }
  auto impl = std::make_shared<Impl>();
  impl->expression = std::string(expr);
  impl->time_zone = std::string(time_zone);
  impl->rules = Rules{*spec, *zone};
  return CronSchedule(std::move(impl));
}

std::optional<TimePoint> CronSchedule::next(TimePoint after) const {
  const absl::Time t = absl::FromChrono(after);
  const CronSpec& spec = impl_->rules.spec;
  if (spec.every_seconds > 0) {
    const std::int64_t k = floor_div(absl::ToUnixSeconds(t), spec.every_seconds);
    return to_time_point(absl::FromUnixSeconds((k + 1) * spec.every_seconds));
  }
  if (!spec.satisfiable) {
    return std::nullopt;
  }
  return to_time_point(spec.hour_star ? next_unrestricted(impl_->rules, t)
                                      : next_restricted(impl_->rules, t));
}

std::optional<TimePoint> CronSchedule::prev(TimePoint at) const {
  const absl::Time t = absl::FromChrono(at);
  const CronSpec& spec = impl_->rules.spec;
  if (spec.every_seconds > 0) {
    const std::int64_t k = floor_div(absl::ToUnixSeconds(t), spec.every_seconds);
    return to_time_point(absl::FromUnixSeconds(k * spec.every_seconds));
  }
  if (!spec.satisfiable) {
    return std::nullopt;
  }
  return to_time_point(spec.hour_star ? prev_unrestricted(impl_->rules, t)
                                      : prev_restricted(impl_->rules, t));
}

const std::string& CronSchedule::expression() const { return impl_->expression; }

const std::string& CronSchedule::time_zone() const { return impl_->time_zone; }

FieldErrors validate_cron_schedule(std::string_view schedule, std::string_view time_zone,
                                   const std::string& schedule_field,
                                   const std::string& time_zone_field) {
  FieldErrors errors;
  if (auto spec = parse_spec(schedule); !spec) {
    errors.push_back(
        FieldError{FieldError::Type::Invalid, schedule_field,
                   "invalid cron expression " + go_quote(schedule) + ": " + spec.error().message});
  }
  if (auto zone = load_zone(time_zone); !zone) {
    errors.push_back(FieldError{FieldError::Type::Invalid, time_zone_field, zone.error().message});
  }
  return errors;
}

}  // namespace korder::api
