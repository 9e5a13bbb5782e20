#pragma once

// Decoding without keeping unknown fields: for hot paths that decode an object only to read a
// few of its modelled fields and never write it back.

namespace korder::api {

/// While an instance is alive, JsonObjectReader::finish(Extras&) on this thread leaves the
/// extras empty instead of copying the unknown members out as JSON text. Everything else is
/// unchanged: modelled fields decode (and fail) exactly as before. Only for values parsed from
/// JSON text (which cannot hold the non-finite numbers an extras copy would reject) whose
/// decoded object is never encoded again. Scopes nest.
class DiscardExtrasScope {
 public:
  DiscardExtrasScope();
  ~DiscardExtrasScope();
  DiscardExtrasScope(const DiscardExtrasScope&) = delete;
  DiscardExtrasScope& operator=(const DiscardExtrasScope&) = delete;

  /// Whether a scope is alive on this thread.
  static bool active();
};

}  // namespace korder::api
