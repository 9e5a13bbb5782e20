#include "usage_index.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace korder::quota {
namespace {

void erase_pointer(std::vector<QuotaAccount*>& list, const QuotaAccount* account) {
  list.erase(std::remove(list.begin(), list.end(), account), list.end());
}

bool contains(const std::vector<QuotaAccount*>& list, const QuotaAccount* account) {
  return std::find(list.begin(), list.end(), account) != list.end();
}

// A label `selector` requires to have one exact value (its first `k=v`, `k==v` or `k in (v)`).
std::optional<std::pair<std::string, std::string>> exact_label(const api::Selector& selector) {
  for (const api::SelectorRequirement& requirement : selector.requirements()) {
    const bool equality = requirement.op == api::SelectorOperator::Equals ||
                          requirement.op == api::SelectorOperator::DoubleEquals ||
                          requirement.op == api::SelectorOperator::In;
    if (equality && requirement.values.size() == 1) {
      return std::make_pair(requirement.key, requirement.values.front());
    }
  }
  return std::nullopt;
}

void sort_by_name(std::vector<QuotaAccount*>& list) {
  if (list.size() < 2) {
    return;
  }
  std::sort(list.begin(), list.end(), [](const QuotaAccount* a, const QuotaAccount* b) {
    return a->definition->name < b->definition->name;
  });
}

}  // namespace

QuotaAccount& UsageIndex::upsert_quota(std::shared_ptr<const QuotaDefinition> definition) {
  const std::string name = definition->name;
  auto& slot = quotas_[name];
  if (slot && slot->definition->same_accounting(*definition)) {
    slot->definition = std::move(definition);
    slot->invalidate_limits();
    return *slot;
  }
  if (slot) {
    unregister_quota(*slot);
  } else {
    slot = std::make_unique<QuotaAccount>();
  }
  slot->definition = std::move(definition);
  slot->invalidate_limits();
  register_quota(*slot);
  recount(*slot);
  return *slot;
}

void UsageIndex::remove_quota(const std::string& name) {
  const auto it = quotas_.find(name);
  if (it == quotas_.end()) {
    return;
  }
  unregister_quota(*it->second);
  quotas_.erase(it);
}

QuotaAccount* UsageIndex::find_quota(const std::string& name) {
  const auto it = quotas_.find(name);
  return it == quotas_.end() ? nullptr : it->second.get();
}

void UsageIndex::upsert_namespace(const std::string& name, Labels labels) {
  NamespaceEntry& entry = namespace_entry(name);
  if (entry.observed && entry.labels == labels) {
    return;
  }
  entry.observed = true;
  entry.labels = std::move(labels);
  std::vector<QuotaAccount*> now = selectors_matching(entry.labels);
  for (QuotaAccount* account : entry.selected_by) {
    if (!contains(now, account)) {
      add_to(*account, name, entry.usage, /*add=*/false);
    }
  }
  for (QuotaAccount* account : now) {
    if (!contains(entry.selected_by, account)) {
      add_to(*account, name, entry.usage, /*add=*/true);
    }
  }
  entry.selected_by = std::move(now);
}

void UsageIndex::remove_namespace(const std::string& name) {
  const auto it = namespaces_.find(name);
  if (it == namespaces_.end()) {
    return;
  }
  if (it->second.usage.empty()) {
    // Nothing counted there: drop the entry, as if never seen.
    namespaces_.erase(it);
    return;
  }
  upsert_namespace(name, {});
  namespaces_.at(name).observed = false;
}

void UsageIndex::upsert_object(ObjectSummary object) {
  const ObjectKey key = object.key();
  const Usage now = contribution(object);
  const auto it = objects_.find(key);
  if (it == objects_.end()) {
    apply(object, now, /*add=*/true);
    objects_.emplace(key, std::move(object));
    return;
  }
  const Usage before = contribution(it->second);
  if (before != now || it->second.labels != object.labels) {
    apply(it->second, before, /*add=*/false);
    apply(object, now, /*add=*/true);
  }
  it->second = std::move(object);
}

void UsageIndex::remove_object(const ObjectKey& key) {
  const auto it = objects_.find(key);
  if (it == objects_.end()) {
    return;
  }
  apply(it->second, contribution(it->second), /*add=*/false);
  objects_.erase(it);
}

const ObjectSummary* UsageIndex::find_object(const ObjectKey& key) const {
  const auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : &it->second;
}

std::vector<QuotaAccount*> UsageIndex::covering(const std::string& ns, const Labels& labels) {
  std::vector<QuotaAccount*> out;
  out.reserve(cluster_.size() + 8);
  out.insert(out.end(), cluster_.begin(), cluster_.end());
  if (const auto list = namespace_list_.find(ns); list != namespace_list_.end()) {
    out.insert(out.end(), list->second.begin(), list->second.end());
  }
  if (const auto entry = namespaces_.find(ns); entry != namespaces_.end()) {
    out.insert(out.end(), entry->second.selected_by.begin(), entry->second.selected_by.end());
  } else {
    const std::vector<QuotaAccount*> selected = selectors_matching({});
    out.insert(out.end(), selected.begin(), selected.end());
  }
  for (const auto& [key, by_value] : object_selector_by_label_) {
    const auto label = labels.find(key);
    if (label == labels.end()) {
      continue;
    }
    const auto candidates = by_value.find(label->second);
    if (candidates == by_value.end()) {
      continue;
    }
    for (QuotaAccount* account : candidates->second) {
      if (account->definition->selector.matches(labels)) {
        out.push_back(account);
      }
    }
  }
  for (QuotaAccount* account : object_selector_scan_) {
    if (account->definition->selector.matches(labels)) {
      out.push_back(account);
    }
  }
  sort_by_name(out);
  return out;
}

std::vector<QuotaAccount*> UsageIndex::covering_namespace(const std::string& ns) {
  std::vector<QuotaAccount*> out = covering(ns, {});
  for (QuotaAccount* account : object_selector_) {
    if (!contains(out, account)) {
      out.push_back(account);
    }
  }
  sort_by_name(out);
  return out;
}

UsageIndex::NamespaceEntry& UsageIndex::namespace_entry(const std::string& name) {
  auto [it, inserted] = namespaces_.try_emplace(name);
  if (inserted) {
    it->second.selected_by = selectors_matching({});
  }
  return it->second;
}

void UsageIndex::apply(const ObjectSummary& object, const Usage& delta, bool add) {
  if (delta.empty()) {
    return;
  }
  NamespaceEntry& entry = namespace_entry(object.namespace_);
  if (add) {
    entry.usage += delta;
  } else {
    entry.usage -= delta;
  }
  for (QuotaAccount* account : covering(object.namespace_, object.labels)) {
    add_to(*account, object.namespace_, delta, add);
  }
}

void UsageIndex::add_to(QuotaAccount& account, const std::string& ns, const Usage& delta,
                        bool add) {
  const auto& allocations = account.definition->allocations;
  const bool allocated = !allocations.empty() && allocations.count(ns) > 0;
  if (add) {
    account.used += delta;
    if (allocated) {
      add_usage(account.allocation_used, ns, delta);
    }
  } else {
    account.used -= delta;
    if (allocated) {
      subtract_usage(account.allocation_used, ns, delta);
    }
  }
}

void UsageIndex::register_quota(QuotaAccount& account) {
  const QuotaDefinition& definition = *account.definition;
  if (!definition.valid()) {
    return;
  }
  switch (definition.scope_type) {
    case ScopeType::Cluster:
      cluster_.push_back(&account);
      break;
    case ScopeType::NamespaceList:
      for (const std::string& ns : definition.namespaces) {
        namespace_list_[ns].push_back(&account);
      }
      break;
    case ScopeType::NamespaceSelector:
      namespace_selector_.push_back(&account);
      for (auto& [name, entry] : namespaces_) {
        if (definition.selector.matches(entry.labels)) {
          entry.selected_by.push_back(&account);
        }
      }
      break;
    case ScopeType::ObjectSelector:
      object_selector_.push_back(&account);
      if (auto label = exact_label(definition.selector)) {
        object_selector_by_label_[label->first][label->second].push_back(&account);
      } else {
        object_selector_scan_.push_back(&account);
      }
      break;
  }
}

void UsageIndex::unregister_quota(QuotaAccount& account) {
  erase_pointer(cluster_, &account);
  for (const std::string& ns : account.definition->namespaces) {
    if (auto it = namespace_list_.find(ns); it != namespace_list_.end()) {
      erase_pointer(it->second, &account);
      if (it->second.empty()) {
        namespace_list_.erase(it);
      }
    }
  }
  erase_pointer(namespace_selector_, &account);
  for (auto& [name, entry] : namespaces_) {
    erase_pointer(entry.selected_by, &account);
  }
  erase_pointer(object_selector_, &account);
  erase_pointer(object_selector_scan_, &account);
  if (auto label = exact_label(account.definition->selector)) {
    auto by_value = object_selector_by_label_.find(label->first);
    if (by_value != object_selector_by_label_.end()) {
      auto list = by_value->second.find(label->second);
      if (list != by_value->second.end()) {
        erase_pointer(list->second, &account);
        if (list->second.empty()) {
          by_value->second.erase(list);
        }
      }
      if (by_value->second.empty()) {
        object_selector_by_label_.erase(by_value);
      }
    }
  }
}

void UsageIndex::recount(QuotaAccount& account) {
  account.used = Usage();
  account.allocation_used.clear();
  const QuotaDefinition& definition = *account.definition;
  if (!definition.valid()) {
    return;
  }
  if (definition.namespace_scoped()) {
    for (const auto& [ns, entry] : namespaces_) {
      if (covers(definition, ns, entry.labels, {})) {
        add_to(account, ns, entry.usage, /*add=*/true);
      }
    }
    return;
  }
  for (const auto& [key, object] : objects_) {
    if (definition.selector.matches(object.labels)) {
      add_to(account, object.namespace_, contribution(object), /*add=*/true);
    }
  }
}

std::vector<QuotaAccount*> UsageIndex::selectors_matching(const Labels& labels) const {
  std::vector<QuotaAccount*> out;
  for (QuotaAccount* account : namespace_selector_) {
    if (account->definition->selector.matches(labels)) {
      out.push_back(account);
    }
  }
  return out;
}

}  // namespace korder::quota
