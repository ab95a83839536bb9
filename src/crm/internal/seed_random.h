// Deterministic random draws for the demo CRM seeder. Private to src/crm.
//
// Hand-written over std::mt19937_64 instead of using std::uniform_*_distribution
// or std::normal_distribution: those are implementation-defined, so the same
// seed would give different data with a different standard library, and the
// CRM must be byte-for-byte reproducible from its seed. Only IEEE-exact
// operations are used (no libm calls), for the same reason.
//
// Not thread-safe: one SeedRandom per seeding.
#ifndef KEEL_CRM_INTERNAL_SEED_RANDOM_H_
#define KEEL_CRM_INTERNAL_SEED_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <random>

namespace keel::crm_internal {

class SeedRandom {
 public:
  explicit SeedRandom(uint64_t seed) : rng_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double Unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  // Uniform integer in [lo, hi]. The modulo bias is below 2^-40 for the
  // small ranges used here, far under anything the demo data could show.
  int64_t Int(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng_() % static_cast<uint64_t>(hi - lo + 1));
  }
  double Real(double lo, double hi) { return lo + (hi - lo) * Unit(); }
  bool Chance(double p) { return Unit() < p; }
  // Roughly normal noise with mean 0 and standard deviation `sd`
  // (Irwin-Hall: the sum of three uniforms, rescaled).
  double Noise(double sd) {
    // One draw per statement: operand evaluation order is unspecified, and
    // floating-point sums depend on it.
    double sum = Unit();
    sum += Unit();
    sum += Unit();
    return (sum - 1.5) * 2.0 * sd;
  }

  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Int(0, static_cast<int64_t>(N) - 1)];
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace keel::crm_internal

#endif  // KEEL_CRM_INTERNAL_SEED_RANDOM_H_
