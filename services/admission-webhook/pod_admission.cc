#include "pod_admission.h"

#include <glog/logging.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <utility>

#include "korder/api/discard_extras.h"
#include "korder/api/json.h"
#include "korder/api/korder_group.h"
#include "pod_patch.h"
#include "review.h"
#include "ticket_request.h"

namespace korder::webhook {
namespace {

// The fast path: whether the pod's JSON carries `korder.dev/required: "true"`, read straight
// from the parsed document without decoding the pod.
bool opted_in(const api::JsonValue& pod) {
  if (!pod.IsObject()) {
    return false;
  }
  const auto metadata = pod.FindMember("metadata");
  if (metadata == pod.MemberEnd() || !metadata->value.IsObject()) {
    return false;
  }
  const auto annotations = metadata->value.FindMember("annotations");
  if (annotations == metadata->value.MemberEnd() || !annotations->value.IsObject()) {
    return false;
  }
  const auto required = annotations->value.FindMember(kRequiredAnnotation.data());
  return required != annotations->value.MemberEnd() && required->value.IsString() &&
         std::string_view(required->value.GetString(), required->value.GetStringLength()) == "true";
}

// The annotations the claim reads (DESIGN.md §8) all carry this prefix.
constexpr std::string_view kKorderPrefix = "korder.dev/";

// The pod as the claim reads it: its names, namespace and spec decoded into `pod`; its labels
// and annotations checked as ObjectMeta's codec checks them (an object of strings or numbers)
// but kept only as far as the claim reads them. A pod's dozen labels and annotations, two
// strings and a map node each, were a third of a dry-run review's allocations.
struct PodForClaim {
  api::Pod pod;  // metadata: name, generateName and namespace only
  PodShape shape;
  bool has_ticket_label = false;
  std::map<std::string, std::string> korder_annotations;  // the `korder.dev/` ones
};

// Checks a labels or annotations map; `entry` sees each key and value (first of duplicates
// first, as the map codec keeps the first).
template <typename Entry>
api::DecodeResult read_string_map(const api::JsonValue& json, bool& non_empty, Entry&& entry) {
  if (!json.IsObject()) {
    std::map<std::string, std::string> unused;
    return api::decode_int_or_string_map(json, unused);  // its error, word for word
  }
  non_empty = json.MemberCount() > 0;
  for (auto it = json.MemberBegin(); it != json.MemberEnd(); ++it) {
    const std::string_view key(it->name.GetString(), it->name.GetStringLength());
    if (!it->value.IsString() && !it->value.IsNumber()) {
      std::string unused;
      return Unexpected(
          api::decode_int_or_string(it->value, unused).error().at("[" + std::string(key) + "]"));
    }
    entry(key, it->value);
  }
  return {};
}

Expected<PodForClaim, ParseError> read_pod(const api::JsonValue& object) {
  PodForClaim out;
  api::JsonObjectReader pod(object);
  pod.field_with("metadata", [&](const api::JsonValue& json) -> api::DecodeResult {
    api::JsonObjectReader meta(json);
    meta.field("name", out.pod.metadata.name)
        .field("generateName", out.pod.metadata.generate_name)
        .field("namespace", out.pod.metadata.namespace_)
        .field_with("labels",
                    [&](const api::JsonValue& labels) {
                      return read_string_map(labels, out.shape.has_labels,
                                             [&](std::string_view key, const api::JsonValue&) {
                                               if (key == kTicketLabel) {
                                                 out.has_ticket_label = true;
                                               }
                                             });
                    })
        .field_with("annotations", [&](const api::JsonValue& annotations) {
          return read_string_map(
              annotations, out.shape.has_annotations,
              [&](std::string_view key, const api::JsonValue& value) {
                if (key.starts_with(kKorderPrefix)) {
                  std::string text;
                  (void)api::decode_int_or_string(value, text);  // its type is checked
                  out.korder_annotations.try_emplace(std::string(key), std::move(text));
                }
              });
        });
    return meta.finish();
  });
  pod.field("spec", out.pod.spec);
  if (auto read = pod.finish(); !read) {
    return Unexpected(std::move(read).error());
  }
  out.shape.has_scheduling_gates = !out.pod.spec.scheduling_gates.empty();
  return out;
}

std::string ticket_key(const api::Ticket& ticket) {
  return ticket.metadata.namespace_ + "/" + ticket.metadata.name;
}

}  // namespace

PodAdmission::PodAdmission(const TicketSource& tickets, ClaimWriter& writer, OrderEvents& events,
                           ClaimTracker& tracker, WebhookMetrics& metrics, Clock& clock,
                           std::function<std::uint64_t()> random, std::function<bool()> synced,
                           PodAdmissionOptions options)
    : tickets_(tickets),
      writer_(writer),
      events_(events),
      tracker_(tracker),
      metrics_(metrics),
      clock_(clock),
      random_(std::move(random)),
      synced_(std::move(synced)),
      options_(options) {}

std::string PodAdmission::new_token() {
  char text[33];
  std::snprintf(text, sizeof(text), "%016llx%016llx", static_cast<unsigned long long>(random_()),
                static_cast<unsigned long long>(random_()));
  return text;
}

api::AdmissionResponse PodAdmission::unassigned(const api::AdmissionRequest& request,
                                                const PodShape& shape, const api::Pod& pod,
                                                const std::string& ns,
                                                const std::string& order, const std::string& reason,
                                                std::string_view outcome) {
  metrics_.claim_outcome(outcome).inc();
  const std::string pod_name =
      pod.metadata.name.empty() ? pod.metadata.generate_name + "*" : pod.metadata.name;
  LOG(INFO) << "pod admitted without a ticket"
            << " pod=" << ns << "/" << pod_name << " reason=\"" << reason << "\"";
  if (!order.empty() && !request.dry_run.value_or(false)) {
    events_.no_ticket(ns, order, "pod " + pod_name + " got no ticket: " + reason);
  }
  return allow(request.uid, unassigned_patch(shape, reason));
}

boost::asio::awaitable<api::AdmissionResponse> PodAdmission::review(api::AdmissionRequest request,
                                                                    SteadyTimePoint deadline) {
  if (request.operation != api::AdmissionOperation::Create || !request.object.has_value()) {
    co_return allow(request.uid);
  }
  api::JsonDocument doc;
  if (auto parsed = api::parse_json(request.object.json(), doc); !parsed) {
    co_return allow(request.uid);
  }
  const api::JsonValue* object = &doc;
  co_return co_await review(std::move(request), object, deadline);
}

boost::asio::awaitable<api::AdmissionResponse> PodAdmission::review(api::AdmissionRequest request,
                                                                    const api::JsonValue* object,
                                                                    SteadyTimePoint deadline) {
  if (request.operation != api::AdmissionOperation::Create || object == nullptr ||
      !opted_in(*object)) {
    co_return allow(request.uid);  // the fast path: not ours
  }
  // The pod is read, never written back: its unmodelled fields (env, probes, volumes, ...)
  // need not be copied out as JSON text. No co_await while the scope is alive.
  std::optional<Expected<PodForClaim, ParseError>> decoded;
  {
    const api::DiscardExtrasScope discard_extras;
    decoded = read_pod(*object);
  }
  if (!*decoded) {
    // Never block a pod because korder cannot read it; the API server will judge the pod.
    metrics_.claim_outcome("invalid_request").inc();
    co_return allow(request.uid);
  }
  const PodForClaim read = std::move(*decoded).value();
  const api::Pod& pod = read.pod;
  const PodShape& shape = read.shape;
  const std::string ns =
      pod.metadata.namespace_.empty() ? request.namespace_ : pod.metadata.namespace_;
  if (!pod.spec.node_name.empty()) {
    co_return allow(request.uid);  // a gate on a bound pod is rejected by the API server
  }
  if (read.has_ticket_label) {
    metrics_.claim_outcome("already_claimed").inc();  // reinvocation: claimed already
    co_return allow(request.uid);
  }
  auto ticket_request = parse_ticket_request(read.korder_annotations);
  if (!ticket_request) {
    co_return unassigned(request, shape, pod, ns, "", ticket_request.error(), "invalid_request");
  }
  const std::string& order = ticket_request->order;
  if (!synced_()) {
    co_return unassigned(request, shape, pod, ns, order, "korder's ticket cache is not synced yet",
                         "not_synced");
  }
  const TimePoint now = clock_.now();
  // Claims in flight here are skipped; asking per ticket costs a key and a lock each, so only
  // when there are any.
  std::function<bool(const api::Ticket&)> skip;
  if (!tracker_.idle()) {
    skip = [this](const api::Ticket& ticket) { return tracker_.busy(ticket_key(ticket)); };
  }
  // A dry run shows the best candidate; a claim tries at most max_attempts, and twice as many
  // are ranked in case some are taken by a concurrent review of this process meanwhile.
  const bool dry_run = request.dry_run.value_or(false);
  const std::size_t ranked =
      dry_run ? 1 : 2 * static_cast<std::size_t>(std::max(options_.max_attempts, 1));
  Selection selection =
      select_candidates(pod, ns, *ticket_request, tickets_, now, skip, random_, ranked);
  if (selection.candidates.empty()) {
    co_return unassigned(request, shape, pod, ns, order, selection.reason, "no_fit");
  }
  if (dry_run) {
    // A dry run shows the mutation it would make, and never claims.
    metrics_.claim_outcome("dry_run").inc();
    const std::string& name = selection.candidates.front().ticket->metadata.name;
    co_return allow(request.uid, claim_patch(shape, name, "dry-run"));
  }

  const std::string token = new_token();
  int attempts = 0;
  int conflicts = 0;
  std::string last_error;
  for (const Candidate& candidate : selection.candidates) {
    if (attempts >= options_.max_attempts ||
        clock_.steady_now() + options_.min_attempt_time > deadline) {
      break;
    }
    const std::string key = ticket_key(*candidate.ticket);
    if (!tracker_.try_begin(key)) {
      continue;
    }
    ++attempts;
    api::Ticket claimed = *candidate.ticket;
    claimed.api_version = std::string(api::kKorderApiVersion);
    claimed.kind = std::string(api::kTicketKind);
    api::TicketClaim claim;
    claim.token = token;
    claim.pod_namespace = ns;
    if (pod.metadata.name.empty()) {
      claim.pod_generate_name = pod.metadata.generate_name;
    } else {
      claim.pod_name = pod.metadata.name;
    }
    claim.claimed_at = clock_.now();
    claim.deadline = *claim.claimed_at +
                     std::chrono::duration_cast<TimePoint::duration>(options_.claim_deadline);
    claimed.status.claim = std::move(claim);
    auto written = co_await writer_.write_claim(std::move(claimed));
    tracker_.finish(key, written.has_value());
    if (written) {
      metrics_.claim_outcome("claimed").inc();
      LOG(INFO) << "ticket claimed"
                << " ticket=" << key << " pod=" << ns << "/"
                << (pod.metadata.name.empty() ? pod.metadata.generate_name + "*"
                                              : pod.metadata.name)
                << " attempts=" << attempts;
      co_return allow(request.uid, claim_patch(shape, candidate.ticket->metadata.name, token));
    }
    const kclient::ApiError& error = written.error();
    if (error.is_conflict() || error.is_not_found()) {
      ++conflicts;  // another pod won this ticket, or it is gone: try the next one
      metrics_.claim_outcome("conflict").inc();
      VLOG(1) << "claim lost"
              << " ticket=" << key << " error=" << error.to_string();
      continue;
    }
    last_error = error.to_string();
    LOG(WARNING) << "claim failed"
                 << " ticket=" << key << " error=" << last_error;
    break;
  }
  if (!last_error.empty()) {
    co_return unassigned(request, shape, pod, ns, order,
                         "korder unavailable: claim failed: " + last_error, "error");
  }
  co_return unassigned(request, shape, pod, ns, order,
                       "every candidate ticket was taken by another pod (" +
                           std::to_string(conflicts) + " conflict(s) over " +
                           std::to_string(selection.eligible) + " candidate(s))",
                       "no_fit");
}

}  // namespace korder::webhook
