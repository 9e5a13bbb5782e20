#pragma once

// UsageIndex: every observed Order, Ticket and Namespace, every Quota, and each quota's usage,
// maintained incrementally and exactly after every change.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "object_summary.h"
#include "quota_account.h"
#include "quota_definition.h"

namespace korder::quota {

/// The observed world and each quota's usage. Every change (an object, namespace or quota
/// added, updated or removed) updates the affected quotas' `used` and `allocation_used` at
/// once, so they are exact after every call:
/// - an object's contribution (see contribution()) counts in every valid quota that covers it;
/// - a namespace relabel moves its objects' summed contribution in or out of the
///   NamespaceSelector quotas whose match changed;
/// - a quota whose scope or allocation namespaces change is recounted (from per-namespace sums
///   for namespace-scoped quotas, from the objects for ObjectSelector quotas).
/// Objects of a namespace not (yet) observed are matched as if it had no labels.
/// Not thread-safe: QuotaEngine's mutex guards it. Accounts are stable in memory until their
/// quota is removed.
class UsageIndex {
 public:
  UsageIndex() = default;
  UsageIndex(const UsageIndex&) = delete;
  UsageIndex& operator=(const UsageIndex&) = delete;

  /// Adds or replaces a quota; returns its account (pending holds charged to it stay).
  QuotaAccount& upsert_quota(std::shared_ptr<const QuotaDefinition> definition);
  /// Removes a quota and its account; no-op when unknown.
  void remove_quota(const std::string& name);
  QuotaAccount* find_quota(const std::string& name);
  /// Every account, by quota name.
  const std::map<std::string, std::unique_ptr<QuotaAccount>>& quotas() const { return quotas_; }

  /// Records a namespace's labels (re-evaluating NamespaceSelector scopes).
  void upsert_namespace(const std::string& name, Labels labels);
  /// Forgets a namespace's labels (its remaining objects match as if it had none).
  void remove_namespace(const std::string& name);

  /// Adds or replaces an object (by key).
  void upsert_object(ObjectSummary object);
  /// Removes an object; no-op when unknown.
  void remove_object(const ObjectKey& key);
  const ObjectSummary* find_object(const ObjectKey& key) const;
  std::size_t object_count() const { return objects_.size(); }

  /// The valid quotas covering an object in `ns` with `labels`, sorted by name.
  std::vector<QuotaAccount*> covering(const std::string& ns, const Labels& labels);
  /// The valid quotas that can cover objects of `ns`: those whose scope includes the namespace,
  /// and every ObjectSelector quota. Sorted by name.
  std::vector<QuotaAccount*> covering_namespace(const std::string& ns);

 private:
  struct NamespaceEntry {
    Labels labels;
    bool observed = false;
    /// The NamespaceSelector quotas whose selector matches `labels`.
    std::vector<QuotaAccount*> selected_by;
    /// The summed contribution of the namespace's objects.
    Usage usage;
  };

  NamespaceEntry& namespace_entry(const std::string& name);
  void apply(const ObjectSummary& object, const Usage& delta, bool add);
  void add_to(QuotaAccount& account, const std::string& ns, const Usage& delta, bool add);
  void register_quota(QuotaAccount& account);
  void unregister_quota(QuotaAccount& account);
  void recount(QuotaAccount& account);
  std::vector<QuotaAccount*> selectors_matching(const Labels& labels) const;

  std::map<std::string, std::unique_ptr<QuotaAccount>> quotas_;
  std::vector<QuotaAccount*> cluster_;
  absl::flat_hash_map<std::string, std::vector<QuotaAccount*>> namespace_list_;
  std::vector<QuotaAccount*> namespace_selector_;
  std::vector<QuotaAccount*> object_selector_;
  // ObjectSelector quotas by a label their selector requires exactly (key, then value), so an
  // object is matched only against the quotas its labels can satisfy; the others are scanned.
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, std::vector<QuotaAccount*>>>
      object_selector_by_label_;
  std::vector<QuotaAccount*> object_selector_scan_;
  // Hash maps: lookups per decision must not grow with the number of objects.
  absl::node_hash_map<std::string, NamespaceEntry> namespaces_;
  absl::node_hash_map<ObjectKey, ObjectSummary> objects_;
};

}  // namespace korder::quota
