#include "cli.h"

#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include "korder/api/duration.h"

namespace korder::ctl {
namespace {

Unexpected<UsageError> usage_error(std::string message) {
  return Unexpected(UsageError{std::move(message)});
}

// Walks the arguments, splitting `--flag=value` and taking `--flag value`.
class Args {
 public:
  explicit Args(const std::vector<std::string>& args) : args_(args) {}
  bool done() const { return i_ >= args_.size(); }
  const std::string& peek() const { return args_[i_]; }
  std::string take() { return args_[i_++]; }
  // The value of a flag just taken (`name` is for messages).
  Expected<std::string, UsageError> value(const std::string& name,
                                          std::optional<std::string> inline_value) {
    if (inline_value) {
      return *inline_value;
    }
    if (done()) {
      return usage_error(name + ": needs a value");
    }
    return take();
  }

 private:
  const std::vector<std::string>& args_;
  std::size_t i_ = 0;
};

Expected<int, UsageError> parse_positive(const std::string& flag, const std::string& text,
                                         bool allow_zero) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < (allow_zero ? 0 : 1)) {
    return usage_error(flag + ": want a " + (allow_zero ? "non-negative" : "positive") +
                       " integer, got \"" + text + "\"");
  }
  return value;
}

}  // namespace

std::string usage_text() {
  return R"(korderctl: inspect korder quotas and ask the quota service what it would admit.

Usage:
  korderctl quota list                      every quota with its use
  korderctl quota get NAME                  one quota: limits, use, holds, free room, allocations
  korderctl quota usage --namespace NS      every quota covering NS, per resource
  korderctl quota watch [NAME...] [--namespace NS] [--count N]
                                            stream usage changes (until interrupted, or N messages)
  korderctl check -f order.yaml             would these Orders/Tickets be admitted now, and if
                                            not why (a dry run: nothing is held)
  korderctl cron next "0 2 * * *" [--tz Asia/Shanghai] [-n 5] [--from 2026-01-01T00:00:00Z]
                                            the next fire times of a schedule, one per line

Flags:
  -o, --output table|json|yaml              output format (default table)
  -n, --namespace NS                        (quota usage/watch, check) the namespace
  --quota-address TARGET                    the quota service (default
                                            dns:///korder-quota.korder-system.svc:9443, or
                                            $KORDER_QUOTA_ADDRESS); e.g. ipv4:127.0.0.1:9443
  --quota-server-name NAME                  the name to verify in the server's certificate
  --quota-ca-file, --quota-client-cert-file, --quota-client-key-file  TLS files
  --insecure                                plaintext (a server started with --insecure)
  --timeout 10s                             deadline of each call

Exit codes: 0 ok, 1 denied or not found, 2 usage or connection error.
)";
}

Expected<Command, UsageError> parse_command_line(const std::vector<std::string>& args,
                                                 const std::string& address_from_env) {
  Command command;
  if (!address_from_env.empty()) {
    command.connection.address = address_from_env;
  }
  std::vector<std::string> positional;
  bool n_seen = false;
  std::string n_value;
  Args in(args);
  while (!in.done()) {
    std::string arg = in.take();
    if (arg == "--") {
      while (!in.done()) {
        positional.push_back(in.take());
      }
      break;
    }
    if (arg.size() < 2 || arg[0] != '-' ||
        (arg.size() > 1 && (std::isdigit(static_cast<unsigned char>(arg[1])) != 0))) {
      positional.push_back(std::move(arg));
      continue;
    }
    std::optional<std::string> inline_value;
    if (const auto eq = arg.find('='); eq != std::string::npos && arg.starts_with("--")) {
      inline_value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    const auto value = [&](const std::string& name) { return in.value(name, inline_value); };
    if (arg == "-h" || arg == "--help") {
      command.verb = Verb::Help;
      return command;
    } else if (arg == "-o" || arg == "--output") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      if (*v == "table" || *v == "wide") {
        command.output = OutputFormat::Table;
      } else if (*v == "json") {
        command.output = OutputFormat::Json;
      } else if (*v == "yaml") {
        command.output = OutputFormat::Yaml;
      } else {
        return usage_error(arg + ": unknown output format \"" + *v +
                           "\" (want table, json or yaml)");
      }
    } else if (arg == "-n" || arg == "--namespace") {
      // `-n` is the namespace, except for `cron next`, where it counts fires (decided below).
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      if (arg == "-n") {
        n_seen = true;
        n_value = *v;
      } else {
        command.namespace_ = *v;
      }
    } else if (arg == "-f" || arg == "--filename") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      command.file = *v;
    } else if (arg == "--tz" || arg == "--time-zone") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      command.time_zone = *v;
    } else if (arg == "--from") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      command.from = *v;
    } else if (arg == "--count") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      auto n = parse_positive(arg, *v, true);
      if (!n) {
        return Unexpected(n.error());
      }
      command.count = *n;
    } else if (arg == "--quota-address" || arg == "--address") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      command.connection.address = *v;
    } else if (arg == "--quota-server-name") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      command.connection.server_name = *v;
    } else if (arg == "--quota-ca-file") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      command.connection.ca_file = *v;
    } else if (arg == "--quota-client-cert-file") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      command.connection.client_cert_file = *v;
    } else if (arg == "--quota-client-key-file") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      command.connection.client_key_file = *v;
    } else if (arg == "--insecure") {
      command.connection.insecure = !inline_value || *inline_value == "true";
    } else if (arg == "--timeout") {
      auto v = value(arg);
      if (!v) {
        return Unexpected(v.error());
      }
      auto d = api::Duration::parse(*v);
      if (!d || d->count() <= 0) {
        return usage_error("--timeout: want a positive duration such as 10s, got \"" + *v + "\"");
      }
      command.connection.timeout =
          std::chrono::duration_cast<std::chrono::milliseconds>(d->nanoseconds());
    } else {
      return usage_error("unknown flag " + arg + " (see korderctl --help)");
    }
  }

  if (positional.empty()) {
    return usage_error("no command given (see korderctl --help)");
  }
  const std::string& group = positional[0];
  const auto want_args = [&](std::size_t min, std::size_t max,
                             const std::string& form) -> Expected<void, UsageError> {
    if (positional.size() < min || positional.size() > max) {
      return usage_error("usage: korderctl " + form);
    }
    return {};
  };
  Expected<void, UsageError> shape;
  if (group == "help") {
    command.verb = Verb::Help;
    return command;
  }
  if (group == "cron") {
    if (positional.size() < 2 || positional[1] != "next") {
      return usage_error("usage: korderctl cron next SCHEDULE [--tz ZONE] [-n N] [--from TIME]");
    }
    shape = want_args(3, 3, "cron next SCHEDULE [--tz ZONE] [-n N] [--from TIME]");
    if (!shape) {
      return Unexpected(shape.error());
    }
    command.verb = Verb::CronNext;
    command.schedule = positional[2];
    if (n_seen) {
      auto n = parse_positive("-n", n_value, false);
      if (!n) {
        return Unexpected(n.error());
      }
      command.fires = *n;
    }
    return command;
  }
  if (n_seen) {
    command.namespace_ = n_value;
  }
  if (group == "check") {
    shape = want_args(1, 1, "check -f FILE");
    if (!shape) {
      return Unexpected(shape.error());
    }
    if (command.file.empty()) {
      return usage_error("check: -f FILE is required (- reads standard input)");
    }
    command.verb = Verb::Check;
    return command;
  }
  if (group != "quota" && group != "quotas" && group != "kq") {
    return usage_error("unknown command \"" + group + "\" (want quota, check or cron)");
  }
  if (positional.size() < 2) {
    return usage_error("usage: korderctl quota list|get|usage|watch");
  }
  const std::string& sub = positional[1];
  if (sub == "list" || sub == "ls") {
    shape = want_args(2, 2, "quota list");
    command.verb = Verb::QuotaList;
  } else if (sub == "get") {
    shape = want_args(3, 3, "quota get NAME");
    command.verb = Verb::QuotaGet;
  } else if (sub == "usage") {
    shape = want_args(2, 2, "quota usage --namespace NS");
    if (shape && command.namespace_.empty()) {
      shape = usage_error("quota usage: --namespace NS is required");
    }
    command.verb = Verb::QuotaUsage;
  } else if (sub == "watch") {
    command.verb = Verb::QuotaWatch;
  } else {
    return usage_error("unknown quota command \"" + sub + "\" (want list, get, usage or watch)");
  }
  if (!shape) {
    return Unexpected(shape.error());
  }
  command.names.assign(positional.begin() + 2, positional.end());
  return command;
}

}  // namespace korder::ctl
