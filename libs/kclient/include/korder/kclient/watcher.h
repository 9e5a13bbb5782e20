#pragma once

// The watcher state machine (kube-rs's `watcher`, client-go's reflector loop), pure: no I/O, no
// time. Each state names the one API call it needs next (`next_action`); the caller performs it
// and feeds the result back (`step`), which returns the event or error it produced and the next
// state. The I/O driver (Reflector) and the backoff around it live elsewhere, so every
// transition is unit-tested with scripted outcomes.
//
//   Empty ──list page──▶ InitPage ──…──▶ (last page) ── Restarted ──▶ InitListed{rv}
//   InitListed{rv} ──watch opened──▶ Watching{rv}
//   Watching{rv} ──event/bookmark──▶ Watching{rv'}          (rv' from the event)
//   Watching{rv} ──stream ended / dropped──▶ InitListed{rv}  (re-watch, no relist)
//   any ──410 Gone──▶ Empty                                 (relist)
//   other errors: stay (InitPage, InitListed) or InitListed{rv} (Watching); the caller backs off.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "korder/base/check.h"
#include "korder/kclient/api_error.h"
#include "korder/kclient/watch_event.h"

namespace korder::kclient::watcher {

// ---- States --------------------------------------------------------------------------------

/// Nothing listed (start, or after 410 Gone): the next call lists the first page.
struct Empty {
  bool operator==(const Empty&) const = default;
};

/// A paginated list is under way: the pages so far are buffered until the last one, so the
/// cache is replaced in one swap.
template <typename T>
struct InitPage {
  std::string continue_token;
  std::vector<std::shared_ptr<const T>> objects;
};

/// The cache holds the state at `resource_version`: the next call opens a watch from it.
struct InitListed {
  std::string resource_version;
  bool operator==(const InitListed&) const = default;
};

/// A watch is open; `resource_version` is the last one seen (events and bookmarks advance it).
struct Watching {
  std::string resource_version;
  bool operator==(const Watching&) const = default;
};

template <typename T>
using State = std::variant<Empty, InitPage<T>, InitListed, Watching>;

/// The resourceVersion a state has reached (empty for Empty and InitPage).
template <typename T>
std::string resource_version(const State<T>& state) {
  if (const auto* listed = std::get_if<InitListed>(&state)) {
    return listed->resource_version;
  }
  if (const auto* watching = std::get_if<Watching>(&state)) {
    return watching->resource_version;
  }
  return {};
}

// ---- Actions: the API call a state needs ---------------------------------------------------

/// List one page: the first when `continue_token` is empty (resourceVersion unset, i.e. a
/// consistent read of the most recent state), else the page after it.
struct ListRequest {
  std::string continue_token;
  bool operator==(const ListRequest&) const = default;
};

/// Open a watch from `resource_version` (with bookmarks and a server-side timeout).
struct WatchRequest {
  std::string resource_version;
  bool operator==(const WatchRequest&) const = default;
};

/// Read the next event of the open watch.
struct NextEventRequest {
  bool operator==(const NextEventRequest&) const = default;
};

using Action = std::variant<ListRequest, WatchRequest, NextEventRequest>;

/// The call `state` needs next.
template <typename T>
Action next_action(const State<T>& state) {
  if (const auto* page = std::get_if<InitPage<T>>(&state)) {
    return ListRequest{page->continue_token};
  }
  if (const auto* listed = std::get_if<InitListed>(&state)) {
    return WatchRequest{listed->resource_version};
  }
  if (std::holds_alternative<Watching>(state)) {
    return NextEventRequest{};
  }
  return ListRequest{};
}

// ---- Outcomes: what the call gave ----------------------------------------------------------

/// One decoded list page (objects that failed to decode are already left out and counted by
/// the decoder). `continue_token` is empty on the last page.
template <typename T>
struct ListPage {
  std::vector<std::shared_ptr<const T>> objects;
  std::string resource_version;
  std::string continue_token;
};

/// The watch request was answered 200: events follow.
struct WatchOpened {};

/// One watch event. `object` is null for a BOOKMARK, and for an object that failed to decode
/// (skipped, but its resourceVersion still counts as seen). `resource_version` is the event
/// object's `metadata.resourceVersion` (empty if it had none).
template <typename T>
struct WatchItem {
  WatchEventType type = WatchEventType::Added;
  std::shared_ptr<const T> object;
  std::string resource_version;
};

/// The server ended the watch cleanly (its `timeoutSeconds` elapsed, or it closed the stream).
struct WatchEnded {};

/// The result of performing an Action. An ApiError answers any action: an HTTP error, a
/// transport failure, or an ERROR event in the stream (410 Expired is `is_gone()`).
template <typename T>
using Outcome = std::variant<ListPage<T>, WatchOpened, WatchItem<T>, WatchEnded, ApiError>;

// ---- Events: what the cache and the handlers learn -----------------------------------------

/// A complete list: the cache is to hold exactly `objects`, as of `resource_version`.
template <typename T>
struct Restarted {
  std::vector<std::shared_ptr<const T>> objects;
  std::string resource_version;
};

/// An object was added or modified (the informer tells the two apart by its cache).
template <typename T>
struct Applied {
  std::shared_ptr<const T> object;
};

/// An object was deleted; `object` is its final state as the watch sent it.
template <typename T>
struct Deleted {
  std::shared_ptr<const T> object;
};

template <typename T>
using Event = std::variant<Restarted<T>, Applied<T>, Deleted<T>>;

/// The result of one step: at most one of `event` and `error`, and the next state. An error
/// means the caller waits its backoff before the next step; a step without error resets
/// nothing by itself (the backoff's own healthy-time rule does).
template <typename T>
struct Step {
  std::optional<Event<T>> event;
  std::optional<ApiError> error;
  State<T> next;
};

namespace detail {

template <typename T>
Step<T> on_list(State<T> state, ListPage<T> page) {
  std::vector<std::shared_ptr<const T>> objects;
  if (auto* in_progress = std::get_if<InitPage<T>>(&state)) {
    objects = std::move(in_progress->objects);
  }
  if (objects.empty()) {
    objects = std::move(page.objects);
  } else {
    objects.insert(objects.end(), std::make_move_iterator(page.objects.begin()),
                   std::make_move_iterator(page.objects.end()));
  }
  if (!page.continue_token.empty()) {
    return {std::nullopt, std::nullopt,
            InitPage<T>{std::move(page.continue_token), std::move(objects)}};
  }
  std::string rv = page.resource_version;
  return {Restarted<T>{std::move(objects), std::move(page.resource_version)}, std::nullopt,
          InitListed{std::move(rv)}};
}

template <typename T>
Step<T> on_item(Watching watching, WatchItem<T> item) {
  if (!item.resource_version.empty()) {
    watching.resource_version = std::move(item.resource_version);
  }
  if (item.object == nullptr) {
    return {std::nullopt, std::nullopt, std::move(watching)};  // a bookmark, or undecodable
  }
  switch (item.type) {
    case WatchEventType::Added:
    case WatchEventType::Modified:
      return {Event<T>(Applied<T>{std::move(item.object)}), std::nullopt, std::move(watching)};
    case WatchEventType::Deleted:
      return {Event<T>(Deleted<T>{std::move(item.object)}), std::nullopt, std::move(watching)};
    case WatchEventType::Bookmark:
    case WatchEventType::Error:
      break;
  }
  return {std::nullopt, std::nullopt, std::move(watching)};
}

template <typename T>
Step<T> on_error(State<T> state, ApiError error) {
  if (error.is_gone()) {
    // Too old resourceVersion (watch) or expired continue token (list): only a fresh list
    // can recover.
    return {std::nullopt, std::move(error), Empty{}};
  }
  if (auto* watching = std::get_if<Watching>(&state)) {
    // The stream is dead; resume from the last version seen.
    return {std::nullopt, std::move(error), InitListed{std::move(watching->resource_version)}};
  }
  return {std::nullopt, std::move(error), std::move(state)};  // retry the same call
}

}  // namespace detail

/// Feeds the result of `next_action(state)` into the machine. Precondition (checked): the
/// outcome answers that action (a list page for a list, WatchOpened for a watch request, an
/// item or WatchEnded for NextEventRequest; an ApiError answers any).
template <typename T>
Step<T> step(State<T> state, Outcome<T> outcome) {
  if (auto* error = std::get_if<ApiError>(&outcome)) {
    return detail::on_error(std::move(state), std::move(*error));
  }
  const Action action = next_action(state);
  if (auto* page = std::get_if<ListPage<T>>(&outcome)) {
    KORDER_CHECK(std::holds_alternative<ListRequest>(action), "watcher: unexpected list page");
    return detail::on_list(std::move(state), std::move(*page));
  }
  if (std::holds_alternative<WatchOpened>(outcome)) {
    KORDER_CHECK(std::holds_alternative<WatchRequest>(action), "watcher: unexpected watch");
    return {std::nullopt, std::nullopt,
            Watching{std::get<InitListed>(std::move(state)).resource_version}};
  }
  KORDER_CHECK(std::holds_alternative<NextEventRequest>(action), "watcher: unexpected event");
  Watching watching = std::get<Watching>(std::move(state));
  if (auto* item = std::get_if<WatchItem<T>>(&outcome)) {
    return detail::on_item(std::move(watching), std::move(*item));
  }
  return {std::nullopt, std::nullopt, InitListed{std::move(watching.resource_version)}};
}

}  // namespace korder::kclient::watcher
