#pragma once

// korderctl's output: aligned tables, JSON and YAML (pure functions, unit-tested).

#include <string>
#include <vector>

#include "cli.h"
#include "korder/base/clock.h"
#include "korder/quota/v1/quota.pb.h"

namespace korder::ctl {

/// A kubectl-style table: upper-case headers, columns separated by three spaces and padded to
/// their widest cell, no trailing spaces.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  std::string render() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

/// The outcome of checking one object of a `check -f` file.
struct CheckResult {
  std::string kind;
  std::string namespace_;
  std::string name;
  quota::v1::CheckResponse response;
};

/// JSON text (one document) as YAML; every string value double-quoted so that `"10"` stays a
/// string. Precondition: `json` is valid JSON (our own output).
std::string json_to_yaml(const std::string& json);

/// `quota list`: NAME SCOPE ORDERS TICKETS CPU MEMORY WINDOW EXCEEDED (use as `used/hard`,
/// `-` without a limit), or `{"quotas": [...]}`.
std::string render_quota_list(const std::vector<quota::v1::QuotaUsage>& quotas,
                              OutputFormat format);

/// `quota get`: a summary block and RESOURCE HARD USED HELD FREE, then the allocations; or the
/// QuotaUsage message.
std::string render_quota(const quota::v1::QuotaUsage& quota, OutputFormat format);

/// `quota usage --namespace NS`: QUOTA RESOURCE LIMIT USED HELD FREE for every quota covering
/// NS (the namespace's own allocation where it has one), or `{"namespace":..., "quotas": [...]}`.
std::string render_namespace_usage(const std::string& ns,
                                   const std::vector<quota::v1::QuotaUsage>& quotas,
                                   OutputFormat format);

/// One WatchUsage message: table format prints one line per changed quota
/// (`<time> <quota> orders=1/10 tickets=...`) and per deleted quota; json/yaml print the
/// message (JSON on one line).
std::string render_watch_message(const quota::v1::WatchUsageResponse& message, TimePoint now,
                                 OutputFormat format);

/// `check`: one line per object (`Order team-a/web: allowed` / `denied: <message>`) plus its
/// warnings, or a list of {kind, namespace, name, allowed, message, violations, warnings}.
std::string render_check(const std::vector<CheckResult>& results, OutputFormat format);

/// `cron next`: one time per line, or a JSON/YAML list.
std::string render_fires(const std::vector<std::string>& fires, OutputFormat format);

}  // namespace korder::ctl
