#include "engine/gpu/device_info.h"

#include <cstdio>
#include <dlfcn.h>
#include <mutex>

namespace engine::gpu {
namespace {

// The few NVML entry points we use, declared here with their documented C signatures so the
// build needs no NVIDIA headers.
using nvmlReturn_t = int;
using nvmlDevice_t = void*;
struct NvmlMemory {
    unsigned long long total;
    unsigned long long free;
    unsigned long long used;
};
struct NvmlUtilization {
    unsigned int gpu;
    unsigned int memory;
};

struct Nvml {
    void* handle = nullptr;
    bool ready = false;
    std::string problem;
    nvmlReturn_t (*init)() = nullptr;
    nvmlReturn_t (*get_count)(unsigned int*) = nullptr;
    nvmlReturn_t (*get_handle)(unsigned int, nvmlDevice_t*) = nullptr;
    nvmlReturn_t (*get_name)(nvmlDevice_t, char*, unsigned int) = nullptr;
    nvmlReturn_t (*get_memory)(nvmlDevice_t, NvmlMemory*) = nullptr;
    nvmlReturn_t (*get_utilization)(nvmlDevice_t, NvmlUtilization*) = nullptr;
    nvmlReturn_t (*get_temperature)(nvmlDevice_t, int, unsigned int*) = nullptr;
    nvmlReturn_t (*get_power)(nvmlDevice_t, unsigned int*) = nullptr;
    nvmlReturn_t (*get_driver_version)(char*, unsigned int) = nullptr;
};

template <typename F>
bool bind(void* handle, const char* name, F& out) {
    out = reinterpret_cast<F>(dlsym(handle, name));
    return out != nullptr;
}

Nvml& nvml() {
    static Nvml instance;
    static std::once_flag once;
    std::call_once(once, [] {
        Nvml& n = instance;
        n.handle = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
        if (n.handle == nullptr) {
            n.problem = "NVIDIA driver library libnvidia-ml.so.1 not found";
            return;
        }
        bool ok = bind(n.handle, "nvmlInit_v2", n.init) &&
                  bind(n.handle, "nvmlDeviceGetCount_v2", n.get_count) &&
                  bind(n.handle, "nvmlDeviceGetHandleByIndex_v2", n.get_handle) &&
                  bind(n.handle, "nvmlDeviceGetName", n.get_name) &&
                  bind(n.handle, "nvmlDeviceGetMemoryInfo", n.get_memory);
        bind(n.handle, "nvmlDeviceGetUtilizationRates", n.get_utilization);
        bind(n.handle, "nvmlDeviceGetTemperature", n.get_temperature);
        bind(n.handle, "nvmlDeviceGetPowerUsage", n.get_power);
        bind(n.handle, "nvmlSystemGetDriverVersion", n.get_driver_version);
        if (!ok) {
            n.problem = "libnvidia-ml.so.1 lacks required NVML functions (driver too old)";
            return;
        }
        int rc = n.init();
        if (rc != 0) {
            n.problem = "nvmlInit failed with NVML error " + std::to_string(rc);
            return;
        }
        n.ready = true;
    });
    return instance;
}

}  // namespace

DeviceQuery query_devices() {
    DeviceQuery query;
    Nvml& n = nvml();
    if (!n.ready) {
        query.problem = n.problem;
        return query;
    }
    query.driver_available = true;
    if (n.get_driver_version != nullptr) {
        char version[96] = {};
        if (n.get_driver_version(version, sizeof(version)) == 0) {
            query.driver_version = version;
        }
    }
    unsigned int count = 0;
    if (n.get_count(&count) != 0) {
        query.problem = "nvmlDeviceGetCount failed";
        return query;
    }
    for (unsigned int i = 0; i < count; ++i) {
        nvmlDevice_t device = nullptr;
        if (n.get_handle(i, &device) != 0) {
            continue;
        }
        DeviceStatus status;
        status.index = static_cast<int>(i);
        char name[128] = {};
        if (n.get_name(device, name, sizeof(name)) == 0) {
            status.name = name;
        }
        NvmlMemory memory{};
        if (n.get_memory(device, &memory) == 0) {
            status.memory_total_bytes = memory.total;
            status.memory_free_bytes = memory.free;
            status.memory_used_bytes = memory.used;
        }
        NvmlUtilization utilization{};
        if (n.get_utilization != nullptr && n.get_utilization(device, &utilization) == 0) {
            status.utilization_percent = static_cast<int>(utilization.gpu);
        }
        unsigned int value = 0;
        if (n.get_temperature != nullptr && n.get_temperature(device, 0, &value) == 0) {
            status.temperature_celsius = static_cast<int>(value);
        }
        if (n.get_power != nullptr && n.get_power(device, &value) == 0) {
            status.power_milliwatts = static_cast<int>(value);
        }
        query.devices.push_back(status);
    }
    return query;
}

std::string format_bytes(std::uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof(text), unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return text;
}

}  // namespace engine::gpu
