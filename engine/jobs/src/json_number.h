#pragma once
// Reading numbers from JSON that may come from a damaged or hostile file (manifests, job specs).
// nlohmann's get<T>() converts a floating-point value to an integer type with a plain cast:
// undefined behaviour for 1e300, or for a negative value into an unsigned type. json_number<T>()
// accepts, for an integer T, integer values that fit T and floating-point values that are whole
// numbers inside T's range, and throws nlohmann's out_of_range (406) for anything else; values
// that are not numbers throw nlohmann's type_error as get<T>() does.

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

namespace engine::jobs {

template <typename T>
T json_number(const nlohmann::json& v) {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        using Limits = std::numeric_limits<T>;
        if (v.is_number_unsigned()) {
            const auto u = v.get<std::uint64_t>();
            if (u <= static_cast<std::uint64_t>(Limits::max())) {
                return static_cast<T>(u);
            }
        } else if (v.is_number_integer()) {
            const auto i = v.get<std::int64_t>();
            const bool fits =
                i >= 0 ? static_cast<std::uint64_t>(i) <= static_cast<std::uint64_t>(Limits::max())
                       : Limits::is_signed && i >= static_cast<std::int64_t>(Limits::min());
            if (fits) {
                return static_cast<T>(i);
            }
        } else if (v.is_number_float()) {
            // [-2^digits, 2^digits) for signed T, [0, 2^digits) for unsigned: exact in double.
            const double d = v.get<double>();
            const double bound = std::ldexp(1.0, Limits::digits);
            if (std::isfinite(d) && d == std::trunc(d) && d < bound &&
                d >= (Limits::is_signed ? -bound : 0.0)) {
                return static_cast<T>(d);
            }
        } else {
            return v.get<T>();  // type_error naming the JSON type
        }
        throw nlohmann::json::out_of_range::create(
            406, "number " + v.dump() + " does not fit the field's integer type", &v);
    } else {
        return v.get<T>();
    }
}

// An array of integers, each read with json_number<T>().
template <typename T>
std::vector<T> json_numbers(const nlohmann::json& v) {
    if (!v.is_array()) {
        return v.get<std::vector<T>>();  // type_error
    }
    std::vector<T> out;
    out.reserve(v.size());
    for (const auto& item : v) {
        out.push_back(json_number<T>(item));
    }
    return out;
}

}  // namespace engine::jobs
