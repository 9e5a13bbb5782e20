#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "korder/base/expected.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/request.h"

namespace korder::kclient {

/// What a successful reconcile asks for next (controller-runtime's `reconcile.Result`).
class ReconcileResult {
 public:
  enum class Kind {
    Done,          // converged: nothing until something changes
    Requeue,       // try again soon, with the key's backoff (no error to report)
    RequeueAfter,  // come back after `after()`, e.g. at the next expiry or cron fire
  };

  /// Nothing more to do until an event wakes the key again.
  static ReconcileResult done() { return ReconcileResult(Kind::Done, {}); }
  /// Try again after the key's rate-limited backoff (controller-runtime's `Requeue: true`).
  static ReconcileResult requeue() { return ReconcileResult(Kind::Requeue, {}); }
  /// Come back after `delay` (at once if `delay <= 0`); the key's backoff is reset. Use it for
  /// the next known deadline: never sleep in a reconcile.
  static ReconcileResult requeue_after(std::chrono::nanoseconds delay) {
    return ReconcileResult(Kind::RequeueAfter, delay);
  }

  Kind kind() const { return kind_; }
  std::chrono::nanoseconds after() const { return after_; }
  bool operator==(const ReconcileResult&) const = default;

 private:
  ReconcileResult(Kind kind, std::chrono::nanoseconds after) : kind_(kind), after_(after) {}
  Kind kind_;
  std::chrono::nanoseconds after_;
};

/// Why a reconcile failed. By default the key is retried with its rate-limited backoff; a
/// `terminal` error is logged and counted but not retried (controller-runtime's
/// `reconcile.TerminalError`: retrying cannot help until the object changes); a `conflict` (409:
/// our view was stale) is retried the same way but logged at V(1), as it is routine (STYLE §4).
struct ReconcileError {
  std::string message;
  bool terminal = false;
  bool conflict = false;

  /// A retryable error with `message` (already carrying its context).
  static ReconcileError retry(std::string message) { return {std::move(message), false, false}; }
  /// An error that retrying cannot fix.
  static ReconcileError terminal_error(std::string message) {
    return {std::move(message), true, false};
  }
  /// From an API error, with `context` prepended (`updating ticket ns/a: ...`); a Conflict is
  /// marked as such.
  static ReconcileError from_api_error(const ApiError& error, std::string_view context) {
    return {error.with_context(context).to_string(), false, error.is_conflict()};
  }
};

/// The reconciler contract (controller-runtime's `reconcile.Reconciler`): make the world match
/// the desired state of the object named by `request`, reading it from the cache (it may be gone:
/// NotFound means done). Level-triggered: it never learns which event woke it. Idempotent: a
/// second call on a converged world makes no writes.
///
/// Runs on a controller worker thread; it may block on the REST client's synchronous calls. The
/// controller never runs two reconciles of the same key at once, but does run different keys
/// concurrently (`--concurrency`), so shared state needs a lock. It must not throw: an escaping
/// exception is caught, counted as a panic and retried with backoff, as a last resort.
class Reconciler {
 public:
  virtual ~Reconciler() = default;
  virtual Expected<ReconcileResult, ReconcileError> reconcile(const Request& request) = 0;
};

/// A Reconciler made from a function (for tests and tiny controllers).
class ReconcilerFunc final : public Reconciler {
 public:
  using Func = std::function<Expected<ReconcileResult, ReconcileError>(const Request&)>;
  explicit ReconcilerFunc(Func func) : func_(std::move(func)) {}
  Expected<ReconcileResult, ReconcileError> reconcile(const Request& request) override {
    return func_(request);
  }

 private:
  Func func_;
};

}  // namespace korder::kclient
