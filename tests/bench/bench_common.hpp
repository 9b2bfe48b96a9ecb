// bench_common.hpp — what every benchmark program shares: --quick, repetitions, medians.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

namespace net::bench {

inline bool quick_mode(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0) return true;
    }
    return false;
}

inline double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n == 0 ? 0.0 : (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0);
}

// Seconds taken by fn().
template <class Fn>
double seconds(Fn&& fn)
{
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Keeps a value alive in the optimiser's eyes.
template <class T>
inline void keep(T const& value)
{
    asm volatile("" : : "r,m"(value) : "memory");
}

}  // namespace net::bench
