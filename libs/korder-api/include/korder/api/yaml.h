#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "korder/base/error.h"
#include "korder/base/expected.h"

namespace korder::api {

/// Converts YAML text (one document) to compact JSON text, the way kubectl reads manifests:
/// plain scalars that spell `true`/`false` become booleans, `null`/`~`/empty become null,
/// integers and decimal numbers become JSON numbers, everything else (and every quoted
/// scalar, so `orders: "10"` stays a string) becomes a JSON string. Mapping keys are strings.
/// Errors name the line and column: `yaml: line 3, column 5: ...`. An empty document gives
/// `null`. Anchors and aliases are resolved; a document nested deeper than 1000 levels is an
/// error rather than a stack overflow.
Expected<std::string, ParseError> yaml_to_json(std::string_view yaml);

/// The same for every document of a multi-document stream (`---` separated); empty documents
/// are skipped, as kubectl does.
Expected<std::vector<std::string>, ParseError> yaml_documents_to_json(std::string_view yaml);

}  // namespace korder::api
