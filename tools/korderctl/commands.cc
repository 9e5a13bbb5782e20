#include "commands.h"

#include <rapidjson/document.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "cron_next.h"
#include "korder/api/order.h"
#include "korder/api/ticket.h"
#include "korder/api/time.h"
#include "korder/api/yaml.h"
#include "korder/quota_client/quota_client.h"
#include "korder/quota_client/summaries.h"
#include "output.h"

namespace korder::ctl {
namespace {

namespace v1 = quota::v1;
using quota_client::CallError;
using quota_client::QuotaClient;

// Prints a call error and returns its exit code.
int call_failed(const CallError& error, std::ostream& err) {
  err << "korderctl: " << error.to_string() << "\n";
  return error.not_found() ? kExitDenied : kExitUsage;
}

Expected<std::unique_ptr<QuotaClient>, std::string> connect(const Connection& connection) {
  quota_client::QuotaClientOptions options;
  options.target = connection.address;
  options.insecure = connection.insecure;
  options.ca_file = connection.ca_file;
  options.client_cert_file = connection.client_cert_file;
  options.client_key_file = connection.client_key_file;
  options.server_name = connection.server_name;
  options.default_timeout = connection.timeout;
  return QuotaClient::create(options);
}

std::vector<v1::QuotaUsage> to_vector(const google::protobuf::RepeatedPtrField<v1::QuotaUsage>& q) {
  return std::vector<v1::QuotaUsage>(q.begin(), q.end());
}

// The `kind` of a JSON object ("" when absent).
std::string kind_of(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.c_str(), json.size());
  if (document.HasParseError() || !document.IsObject()) {
    return "";
  }
  auto it = document.FindMember("kind");
  return it != document.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// The objects of a check file: Orders and Tickets, each as a CheckRequest.
Expected<std::vector<std::pair<CheckResult, v1::CheckRequest>>, std::string> read_check_file(
    const std::string& file, const std::string& default_namespace, std::istream& in) {
  std::string text;
  if (file == "-") {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  } else {
    std::ifstream stream(file);
    if (!stream) {
      return Unexpected("-f " + file + ": cannot read the file");
    }
    std::ostringstream buffer;
    buffer << stream.rdbuf();
    text = buffer.str();
  }
  auto documents = api::yaml_documents_to_json(text);
  if (!documents) {
    return Unexpected(file + ": " + documents.error().to_string());
  }
  std::vector<std::pair<CheckResult, v1::CheckRequest>> out;
  for (std::size_t i = 0; i < documents->size(); ++i) {
    const std::string& json = (*documents)[i];
    const std::string where = file + " (document " + std::to_string(i + 1) + ")";
    v1::ObjectSummary summary;
    const std::string kind = kind_of(json);
    if (kind == "Order") {
      auto order = api::parse_order(json);
      if (!order) {
        return Unexpected(where + ": " + order.error().to_string());
      }
      summary = quota_client::summarize(*order);
    } else if (kind == "Ticket") {
      auto ticket = api::parse_ticket(json);
      if (!ticket) {
        return Unexpected(where + ": " + ticket.error().to_string());
      }
      summary = quota_client::summarize(*ticket);
      summary.clear_phase();  // a ticket being created is Pending
    } else {
      return Unexpected(where + ": kind must be Order or Ticket, got \"" + kind + "\"");
    }
    if (summary.namespace_().empty()) {
      summary.set_namespace_(default_namespace.empty() ? "default" : default_namespace);
    }
    if (summary.name().empty()) {
      return Unexpected(where + ": metadata.name: required (generateName cannot be checked)");
    }
    summary.clear_uid();
    CheckResult result{kind, summary.namespace_(), summary.name(), {}};
    v1::CheckRequest request;
    request.set_operation(v1::OPERATION_CREATE);
    *request.mutable_object() = std::move(summary);
    out.emplace_back(std::move(result), std::move(request));
  }
  if (out.empty()) {
    return Unexpected(file + ": no objects");
  }
  return out;
}

int run_check(const Command& command, QuotaClient& client, std::ostream& out, std::ostream& err,
              std::istream& in) {
  auto objects = read_check_file(command.file, command.namespace_, in);
  if (!objects) {
    err << "korderctl: " << objects.error() << "\n";
    return kExitUsage;
  }
  std::vector<CheckResult> results;
  bool admitted = true;
  for (auto& [result, request] : *objects) {
    auto response = client.check(request);
    if (!response) {
      return call_failed(response.error(), err);
    }
    // An order whose tickets would not all fit now is reported as not admitted: that is the
    // question `check` answers.
    admitted = admitted && response->allowed() && response->warnings_size() == 0;
    result.response = std::move(*response);
    results.push_back(std::move(result));
  }
  out << render_check(results, command.output);
  return admitted ? kExitOk : kExitDenied;
}

int run_watch(const Command& command, QuotaClient& client, const Clock& clock, std::ostream& out,
              std::ostream& err) {
  v1::WatchUsageRequest request;
  for (const std::string& name : command.names) {
    request.add_quotas(name);
  }
  request.set_namespace_(command.namespace_);
  int seen = 0;
  auto watched = client.watch_usage(request, [&](const v1::WatchUsageResponse& message) {
    out << render_watch_message(message, clock.now(), command.output) << std::flush;
    ++seen;
    return command.count == 0 || seen < command.count;
  });
  if (!watched) {
    return call_failed(watched.error(), err);
  }
  return kExitOk;
}

}  // namespace

int run_command(const Command& command, const Clock& clock, std::ostream& out, std::ostream& err,
                std::istream& in) {
  if (command.verb == Verb::Help) {
    out << usage_text();
    return kExitOk;
  }
  if (command.verb == Verb::CronNext) {
    TimePoint from = clock.now();
    if (!command.from.empty()) {
      auto parsed = api::parse_rfc3339(command.from);
      if (!parsed) {
        err << "korderctl: --from: " << parsed.error().to_string() << "\n";
        return kExitUsage;
      }
      from = *parsed;
    }
    auto fires = next_fires(command.schedule, command.time_zone, from, command.fires);
    if (!fires) {
      err << "korderctl: " << fires.error() << "\n";
      return kExitUsage;
    }
    out << render_fires(*fires, command.output);
    return kExitOk;
  }
  auto client = connect(command.connection);
  if (!client) {
    err << "korderctl: " << client.error() << "\n";
    return kExitUsage;
  }
  switch (command.verb) {
    case Verb::QuotaList: {
      auto listed = (*client)->list_quotas();
      if (!listed) {
        return call_failed(listed.error(), err);
      }
      out << render_quota_list(to_vector(listed->quotas()), command.output);
      return kExitOk;
    }
    case Verb::QuotaGet: {
      v1::GetUsageRequest request;
      request.set_quota(command.names.at(0));
      auto usage = (*client)->get_usage(request);
      if (!usage) {
        return call_failed(usage.error(), err);
      }
      if (usage->quotas_size() != 1) {
        err << "korderctl: quota \"" << command.names.at(0) << "\" not found\n";
        return kExitDenied;
      }
      out << render_quota(usage->quotas(0), command.output);
      return kExitOk;
    }
    case Verb::QuotaUsage: {
      v1::GetUsageRequest request;
      request.set_namespace_(command.namespace_);
      auto usage = (*client)->get_usage(request);
      if (!usage) {
        return call_failed(usage.error(), err);
      }
      out << render_namespace_usage(command.namespace_, to_vector(usage->quotas()), command.output);
      return kExitOk;
    }
    case Verb::QuotaWatch:
      return run_watch(command, **client, clock, out, err);
    case Verb::Check:
      return run_check(command, **client, out, err, in);
    default:
      return kExitUsage;
  }
}

int korderctl_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* env = std::getenv("KORDER_QUOTA_ADDRESS");
  auto command = parse_command_line(args, env == nullptr ? "" : env);
  if (!command) {
    std::cerr << "korderctl: " << command.error().message << "\n";
    return kExitUsage;
  }
  SystemClock clock;
  return run_command(*command, clock, std::cout, std::cerr, std::cin);
}

}  // namespace korder::ctl
