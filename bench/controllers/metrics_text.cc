#include "metrics_text.h"

#include <sstream>

namespace korder::bench {
namespace {

// The value of `label` in a sample line's `{a="x",b="y"}` (label values never hold `"` here:
// verbs and codes), or "".
std::string label_value(const std::string& labels, const std::string& label) {
  const std::string key = label + "=\"";
  std::size_t at = labels.find(key);
  while (at != std::string::npos && at != 0 && labels[at - 1] != '{' && labels[at - 1] != ',') {
    at = labels.find(key, at + 1);
  }
  if (at == std::string::npos) {
    return "";
  }
  const std::size_t start = at + key.size();
  const std::size_t end = labels.find('"', start);
  return end == std::string::npos ? "" : labels.substr(start, end - start);
}

// Calls `f(labels, value)` for each sample line of metric `name` (exactly that name).
template <typename F>
void for_each_sample(const std::string& text, const std::string& name, F f) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size()) {
      continue;
    }
    const char next = line[name.size()];
    if (next != '{' && next != ' ') {
      continue;  // a longer name (`name_sum`, ...)
    }
    const std::size_t space = line.rfind(' ');
    const std::string labels = next == '{' ? line.substr(name.size(), space - name.size()) : "";
    f(labels, std::stod(line.substr(space + 1)));
  }
}

}  // namespace

std::map<std::string, double> sum_by_label(const std::string& text, const std::string& name,
                                           const std::string& label) {
  std::map<std::string, double> sums;
  for_each_sample(text, name, [&](const std::string& labels, double value) {
    sums[label_value(labels, label)] += value;
  });
  return sums;
}

double sum_all(const std::string& text, const std::string& name) {
  double sum = 0;
  for_each_sample(text, name, [&](const std::string&, double value) { sum += value; });
  return sum;
}

}  // namespace korder::bench
