#pragma once

// korderctl's command line, parsed into a plain struct (no I/O, unit-tested).

#include <chrono>
#include <string>
#include <vector>

#include "korder/base/expected.h"

namespace korder::ctl {

/// Output format (`-o`).
enum class OutputFormat { Table, Json, Yaml };

/// What to do.
enum class Verb { Help, QuotaList, QuotaGet, QuotaUsage, QuotaWatch, Check, CronNext };

/// Connection flags, spelled as the webhook's (DESIGN.md §8).
struct Connection {
  /// --quota-address (or $KORDER_QUOTA_ADDRESS).
  std::string address = "dns:///korder-quota.korder-system.svc:9443";
  std::string server_name;                                       // --quota-server-name
  std::string ca_file;                                           // --quota-ca-file
  std::string client_cert_file;                                  // --quota-client-cert-file
  std::string client_key_file;                                   // --quota-client-key-file
  bool insecure = false;                                         // --insecure
  std::chrono::milliseconds timeout = std::chrono::seconds(10);  // --timeout (Go duration)
};

/// A parsed command line.
struct Command {
  Verb verb = Verb::Help;
  OutputFormat output = OutputFormat::Table;
  Connection connection;
  /// quota get NAME; quota watch [NAME...].
  std::vector<std::string> names;
  /// quota usage --namespace NS; quota watch --namespace NS; check: the default namespace.
  std::string namespace_;
  /// check -f FILE (`-`: stdin).
  std::string file;
  /// quota watch --count N: stop after N messages (0: run until interrupted).
  int count = 0;
  /// cron next EXPR --tz ZONE -n N [--from RFC3339].
  std::string schedule;
  std::string time_zone;
  int fires = 5;
  std::string from;
};

/// A usage error: the message for stderr (exit code 2).
struct UsageError {
  std::string message;
};

/// Parses `args` (without the program name). `address_from_env` is $KORDER_QUOTA_ADDRESS (empty
/// when unset); the flag wins over it. Errors name the flag or argument:
/// `-o: unknown output format "xml" (want table, json or yaml)`.
Expected<Command, UsageError> parse_command_line(const std::vector<std::string>& args,
                                                 const std::string& address_from_env = "");

/// The help text.
std::string usage_text();

}  // namespace korder::ctl
