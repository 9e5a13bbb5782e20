#include "korder/kclient/health_checks.h"

#include <glog/logging.h>

#include <algorithm>
#include <set>

#include "korder/base/check.h"
#include "korder/base/hex.h"

namespace korder::kclient {
namespace {

// Decodes %XX and '+' as Go's url.QueryUnescape does; a malformed escape is kept as written.
std::string query_unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit_value(s[i + 1]) >= 0 &&
               hex_digit_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit_value(s[i + 1]) * 16 + hex_digit_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

struct ParsedTarget {
  std::string path;
  bool verbose = false;
  std::set<std::string> excluded;
};

ParsedTarget parse_target(std::string_view target) {
  ParsedTarget parsed;
  const auto question = target.find('?');
  parsed.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) {
    return parsed;
  }
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string key = query_unescape(pair.substr(0, eq));
    const std::string value =
        eq == std::string_view::npos ? std::string() : query_unescape(pair.substr(eq + 1));
    if (key == "verbose") {
      parsed.verbose = true;
    } else if (key == "exclude") {
      parsed.excluded.insert(value);
    }
  }
  return parsed;
}

HttpResponse text_response(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                      {"X-Content-Type-Options", "nosniff"}};
  response.body = std::move(body);
  return response;
}

void add_check(std::vector<std::pair<std::string, HealthCheck>>& checks, std::string name,
               HealthCheck check) {
  KORDER_CHECK(!name.empty() && check != nullptr, "HealthChecks: a check needs a name and a body");
  const bool duplicate = std::any_of(checks.begin(), checks.end(),
                                     [&](const auto& entry) { return entry.first == name; });
  KORDER_CHECK(!duplicate, "HealthChecks: a check name was registered twice");
  checks.emplace_back(std::move(name), std::move(check));
}

}  // namespace

HealthChecks::HealthChecks() {
  const HealthCheck ping = [] { return Expected<void, std::string>(); };
  healthz_.emplace_back("ping", ping);
  readyz_.emplace_back("ping", ping);
}

void HealthChecks::add_healthz_check(std::string name, HealthCheck check) {
  absl::MutexLock lock(&mu_);
  add_check(healthz_, std::move(name), std::move(check));
}

void HealthChecks::add_readyz_check(std::string name, HealthCheck check) {
  absl::MutexLock lock(&mu_);
  add_check(readyz_, std::move(name), std::move(check));
}

HttpResponse HealthChecks::serve_healthz(const HttpRequest& request) const {
  NamedChecks checks;
  {
    absl::MutexLock lock(&mu_);
    checks = healthz_;
  }
  return serve("healthz", checks, request);
}

HttpResponse HealthChecks::serve_readyz(const HttpRequest& request) const {
  NamedChecks checks;
  {
    absl::MutexLock lock(&mu_);
    checks = readyz_;
  }
  return serve("readyz", checks, request);
}

HttpResponse HealthChecks::serve(std::string_view kind, const NamedChecks& checks,
                                 const HttpRequest& request) const {
  ParsedTarget target = parse_target(request.target);
  const std::string root = "/" + std::string(kind);
  if (target.path.size() > root.size() + 1 && target.path.starts_with(root + "/")) {
    // One check alone: its reason is shown (kube-apiserver's per-check endpoints do the same).
    const std::string name = target.path.substr(root.size() + 1);
    for (const auto& [check_name, check] : checks) {
      if (check_name != name) {
        continue;
      }
      const auto result = check();
      if (result) {
        return text_response(200, "ok");
      }
      return text_response(500, "internal server error: " + result.error() + "\n");
    }
    return text_response(404, "404 page not found\n");
  }

  bool failed = false;
  std::string listing;
  for (const auto& [name, check] : checks) {
    if (target.excluded.erase(name) > 0) {
      listing += "[+]" + name + " excluded: ok\n";
      continue;
    }
    const auto result = check();
    if (result) {
      listing += "[+]" + name + " ok\n";
      continue;
    }
    failed = true;
    // The probe endpoint is unauthenticated: the reason goes to the log, not the body.
    listing += "[-]" + name + " failed: reason withheld\n";
    VLOG(1) << "health check failed"
            << " endpoint=" << kind << " check=" << name << " reason=" << result.error();
  }
  if (!target.excluded.empty()) {
    listing += "warn: some health checks cannot be excluded: no matches for";
    const char* separator = " ";
    for (const auto& name : target.excluded) {
      listing += separator;
      listing += "\"" + name + "\"";
      separator = ", ";
    }
    listing += "\n";
  }
  if (failed) {
    // Go's http.Error appends a newline.
    return text_response(500, listing + std::string(kind) + " check failed\n");
  }
  if (!target.verbose) {
    return text_response(200, "ok");
  }
  return text_response(200, listing + std::string(kind) + " check passed\n");
}

}  // namespace korder::kclient
