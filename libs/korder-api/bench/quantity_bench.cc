// Cost of the quantity operations on the webhook's and the quota controller's hot paths.
#include <benchmark/benchmark.h>

#include <string_view>

#include "korder/api/quantity.h"

namespace korder::api {
namespace {

void parse(benchmark::State& state, std::string_view text) {
  for (auto _ : state) {
    auto q = Quantity::parse(text);
    benchmark::DoNotOptimize(q);
  }
}
BENCHMARK_CAPTURE(parse, milli_cpu, std::string_view("500m"));
BENCHMARK_CAPTURE(parse, gibibyte, std::string_view("1Gi"));
BENCHMARK_CAPTURE(parse, fraction, std::string_view("1.5"));
BENCHMARK_CAPTURE(parse, long_digits, std::string_view("1.00000000000000000000000000001"));

void to_string(benchmark::State& state, std::string_view text) {
  const Quantity q = Quantity::parse(text).value();
  for (auto _ : state) {
    auto s = q.to_string();
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK_CAPTURE(to_string, milli_cpu, std::string_view("500m"));
BENCHMARK_CAPTURE(to_string, gibibyte, std::string_view("1Gi"));

void add(benchmark::State& state) {
  const Quantity a = Quantity::parse("1536Mi").value();
  const Quantity b = Quantity::parse("512Mi").value();
  for (auto _ : state) {
    auto sum = a.checked_add(b);
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(add);

}  // namespace
}  // namespace korder::api
