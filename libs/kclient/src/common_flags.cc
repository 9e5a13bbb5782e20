#include "korder/kclient/common_flags.h"

#include <glog/logging.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "korder/api/duration.h"

namespace korder::kclient {
namespace {

std::string dashed(std::string name) {
  for (char& c : name) {
    if (c == '_') {
      c = '-';
    }
  }
  return name == "v" ? "-v" : "--" + name;
}

template <typename Int>
bool parse_int(const std::string& text, Int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

const std::vector<std::string>& common_flag_names() {
  static const std::vector<std::string> names = {
      "kubeconfig",
      "context",
      "qps",
      "burst",
      "leader_elect",
      "leader_election_namespace",
      "leader_election_lease_duration",
      "leader_election_renew_deadline",
      "leader_election_retry_period",
      "concurrency",
      "metrics_bind_address",
      "health_probe_bind_address",
      "v",
  };
  return names;
}

Expected<CommonOptions, std::vector<std::string>> common_options_from_flags(
    const std::function<std::optional<std::string>(const std::string& name)>& lookup) {
  CommonOptions options;
  std::vector<std::string> errors;
  const auto value = [&](const std::string& name) -> std::optional<std::string> {
    auto v = lookup(name);
    if (!v) {
      errors.push_back(dashed(name) +
                       ": flag not defined (call KORDER_DEFINE_COMMON_FLAGS() in options.cc)");
    }
    return v;
  };
  const auto bad = [&](const std::string& name, const std::string& text, const char* want) {
    errors.push_back(dashed(name) + ": invalid value \"" + text + "\", want " + want);
  };
  const auto duration = [&](const std::string& name, std::chrono::nanoseconds& out) {
    if (auto text = value(name)) {
      auto parsed = api::Duration::parse(*text);
      if (parsed) {
        out = parsed->nanoseconds();
      } else {
        errors.push_back(dashed(name) + ": " + parsed.error().to_string());
      }
    }
  };
  const auto integer = [&](const std::string& name, int& out) {
    if (auto text = value(name); text && !parse_int(*text, out)) {
      bad(name, *text, "an integer");
    }
  };

  if (auto v = value("kubeconfig")) {
    options.kubeconfig = *v;
  }
  if (auto v = value("context")) {
    options.context = *v;
  }
  if (auto v = value("qps")) {
    char* end = nullptr;
    options.qps = std::strtod(v->c_str(), &end);
    if (v->empty() || end != v->c_str() + v->size()) {
      bad("qps", *v, "a number");
    }
  }
  integer("burst", options.burst);
  if (auto v = value("leader_elect")) {
    if (*v == "true") {
      options.leader_elect = true;
    } else if (*v == "false") {
      options.leader_elect = false;
    } else {
      bad("leader_elect", *v, "true or false");
    }
  }
  if (auto v = value("leader_election_namespace")) {
    options.leader_election_namespace = *v;
  }
  duration("leader_election_lease_duration", options.lease_duration);
  duration("leader_election_renew_deadline", options.renew_deadline);
  duration("leader_election_retry_period", options.retry_period);
  integer("concurrency", options.concurrency);
  if (auto v = value("metrics_bind_address")) {
    options.metrics_bind_address = *v;
  }
  if (auto v = value("health_probe_bind_address")) {
    options.health_probe_bind_address = *v;
  }
  integer("v", options.verbosity);

  if (!errors.empty()) {
    return Unexpected(std::move(errors));
  }
  if (auto problems = options.validate(); !problems.empty()) {
    return Unexpected(std::move(problems));
  }
  return options;
}

Expected<CommonOptions, std::vector<std::string>> parse_common_flags() {
  return common_options_from_flags([](const std::string& name) -> std::optional<std::string> {
    std::string value;
    if (!gflags::GetCommandLineOption(name.c_str(), &value)) {
      return std::nullopt;
    }
    return value;
  });
}

void init_logging(const char* argv0, int verbosity) {
  gflags::CommandLineFlagInfo info;
  const bool explicit_destination =
      (gflags::GetCommandLineFlagInfo("logtostderr", &info) && !info.is_default) ||
      (gflags::GetCommandLineFlagInfo("log_dir", &info) && !info.is_default);
  if (!explicit_destination) {
    FLAGS_logtostderr = true;
  }
  FLAGS_v = verbosity;
  google::InitGoogleLogging(argv0);
  google::InstallFailureSignalHandler();
}

std::optional<std::chrono::nanoseconds> positive_duration_flag(std::string_view name,
                                                               const std::string& value,
                                                               std::vector<std::string>& errors) {
  const std::string flag = "--" + std::string(name);
  auto parsed = api::Duration::parse(value);
  if (!parsed) {
    errors.push_back(flag + ": " + parsed.error().to_string());
    return std::nullopt;
  }
  if (parsed->nanoseconds() <= std::chrono::nanoseconds::zero()) {
    errors.push_back(flag + ": must be positive, got \"" + value + "\"");
    return std::nullopt;
  }
  return parsed->nanoseconds();
}

}  // namespace korder::kclient
