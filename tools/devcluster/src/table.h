#pragma once

// meta.k8s.io/v1 Table output (what `kubectl get` asks for): column definitions per kind (the
// CRD's additionalPrinterColumns for custom resources, kube-apiserver's printers for built-in
// kinds), one row per object with its cells and a PartialObjectMetadata.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "korder/base/clock.h"
#include "resource_info.h"
#include "store.h"

namespace korder::devcluster {

/// apimachinery's duration.HumanDuration: `0s`, `59s`, `2m3s`, `10m`, `3h`, `4d`, `2y`;
/// `<invalid>` for durations below -1s.
std::string human_duration(std::chrono::nanoseconds d);

/// The values a simple JSONPath (`.a.b`, `.a[0].b`, `.a[*].b`, `.a[?(@.k=="v")].b`) selects.
std::vector<const JsonValue*> eval_jsonpath(const JsonValue& root, std::string_view path);

/// The columns of `info`'s table.
std::vector<PrinterColumn> table_columns(const ResourceInfo& info);

/// The Table for `items` (a list or one object). `with_columns` false leaves
/// `columnDefinitions` null (watch events after the first).
std::string table_json(const ResourceInfo& info, const std::vector<ObjectPtr>& items,
                       std::string_view resource_version, std::string_view continue_token,
                       bool with_columns, TimePoint now);

/// The object's metadata as `PartialObjectMetadata` JSON.
std::string partial_metadata_json(const StoredObject& object);

}  // namespace korder::devcluster
