#pragma once

// The patch formats of a PATCH request: JSON merge patch (RFC 7386), JSON patch (RFC 6902)
// and Kubernetes' strategic merge patch for the built-in kinds served here.

#include <string>
#include <string_view>

#include "json_access.h"
#include "korder/base/expected.h"

namespace korder::devcluster {

/// RFC 7386: objects merge recursively, `null` removes a member, anything else replaces.
void apply_merge_patch(JsonValue& target, const JsonValue& patch, JsonAllocator& alloc);

/// RFC 6902: `add`, `remove`, `replace`, `move`, `copy` and `test` with JSON pointers (`~1` is
/// `/`, `~0` is `~`, `-` appends). Either every operation applies or `target` is unchanged;
/// the error says which operation failed and why.
Expected<void, std::string> apply_json_patch(JsonDocument& target, const JsonValue& patch);

/// Strategic merge patch as kube-apiserver applies it to built-in kinds: maps merge, `null`
/// deletes; lists of objects with a merge key (containers, env, volumes... by `name`; ports by
/// `containerPort`; conditions by `type`; ownerReferences by `uid`) merge element by element;
/// `finalizers` merge as a set; other lists are replaced. Directives: `$patch: delete|replace`
/// (maps and list elements), `$retainKeys`, `$setElementOrder/<list>`,
/// `$deleteFromPrimitiveList/<list>`. Errors describe malformed directives.
Expected<void, std::string> apply_strategic_merge_patch(JsonValue& target, const JsonValue& patch,
                                                        JsonAllocator& alloc);

}  // namespace korder::devcluster
