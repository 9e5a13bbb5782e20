#include "usage_watch.h"

#include <set>
#include <utility>

#include "proto_convert.h"
#include "quota_service.h"

namespace korder::quota {

UsageWatch::UsageWatch(QuotaServiceImpl& service, QuotaBackend& backend,
                       v1::WatchUsageRequest request)
    : service_(service), backend_(backend), request_(std::move(request)) {}

void UsageWatch::start() {
  subscribed_ = true;
  backend_.subscribe(*this);
  on_usage_changed();
}

void UsageWatch::stop(const grpc::Status& status) {
  bool finish_now = false;
  {
    absl::MutexLock lock(&mu_);
    if (finishing_) {
      return;
    }
    finishing_ = true;
    final_status_ = status;
    finish_now = !writing_;
    finished_ = finish_now;
  }
  // Finish is called without our lock: its reactions may run on any thread.
  if (finish_now) {
    Finish(status);
  }
}

void UsageWatch::on_usage_changed() {
  bool write_now = false;
  {
    absl::MutexLock lock(&mu_);
    if (finishing_) {
      return;
    }
    if (writing_) {
      dirty_ = true;
      return;
    }
    write_now = prepare_locked();
  }
  if (write_now) {
    StartWrite(&response_);
  }
}

void UsageWatch::OnWriteDone(bool ok) {
  bool write_now = false;
  bool finish_now = false;
  grpc::Status status;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok && !finishing_) {
      // The client went away; OnCancel will follow, the stream must still be finished.
      finishing_ = true;
      final_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled the watch");
    }
    if (finishing_) {
      finish_now = !finished_;
      finished_ = true;
      status = final_status_;
    } else if (dirty_) {
      dirty_ = false;
      write_now = prepare_locked();
    }
  }
  if (finish_now) {
    Finish(status);
  } else if (write_now) {
    StartWrite(&response_);
  }
}

void UsageWatch::OnCancel() {
  stop(grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled the watch"));
}

void UsageWatch::OnDone() {
  if (subscribed_) {
    backend_.unsubscribe(*this);
  }
  service_.forget_watch(this);
  delete this;
}

std::vector<QuotaSnapshot> UsageWatch::watched() const {
  if (!request_.namespace_().empty()) {
    return backend_.usage_for_namespace(request_.namespace_());
  }
  if (request_.quotas().empty()) {
    return backend_.usage_all();
  }
  std::vector<QuotaSnapshot> out;
  for (const std::string& name :
       std::set<std::string>(request_.quotas().begin(), request_.quotas().end())) {
    if (auto snapshot = backend_.usage(name)) {
      out.push_back(std::move(*snapshot));
    }
  }
  return out;
}

bool UsageWatch::prepare_locked() {
  response_.Clear();
  response_.set_initial(!initial_sent_);
  std::set<std::string> present;
  for (const QuotaSnapshot& snapshot : watched()) {
    present.insert(snapshot.name);
    v1::QuotaUsage usage;
    to_proto(snapshot, usage);
    std::string bytes = usage.SerializeAsString();
    auto [it, inserted] = sent_.try_emplace(snapshot.name);
    if (inserted || it->second != bytes || !initial_sent_) {
      it->second = std::move(bytes);
      *response_.add_quotas() = std::move(usage);
    }
  }
  for (auto it = sent_.begin(); it != sent_.end();) {
    if (present.count(it->first) == 0) {
      response_.add_deleted(it->first);
      it = sent_.erase(it);
    } else {
      ++it;
    }
  }
  if (initial_sent_ && response_.quotas().empty() && response_.deleted().empty()) {
    return false;
  }
  initial_sent_ = true;
  writing_ = true;
  return true;
}

}  // namespace korder::quota
