#pragma once
// GPU discovery and live monitoring through NVML, loaded at run time (dlopen), so the engine
// builds and runs on machines without the NVIDIA driver. No torch, no CUDA headers.
// Thread-safe; each call queries the driver afresh (cheap: microseconds).

#include <cstdint>
#include <string>
#include <vector>

namespace engine::gpu {

struct DeviceStatus {
    int index = 0;     // CUDA device ordinal (NVML order matches with CUDA_DEVICE_ORDER=PCI_BUS_ID)
    std::string name;  // "NVIDIA H100 80GB HBM3"
    std::uint64_t memory_total_bytes = 0;
    std::uint64_t memory_used_bytes = 0;
    std::uint64_t memory_free_bytes = 0;
    int utilization_percent = -1;  // -1 when the driver does not report it
    int temperature_celsius = -1;
    int power_milliwatts = -1;
};

struct DeviceQuery {
    bool driver_available = false;  // libnvidia-ml could be loaded and initialised
    std::string driver_version;
    std::string problem;  // why not, when driver_available is false
    std::vector<DeviceStatus> devices;
};

// Enumerates NVIDIA GPUs. Never throws; with no driver it returns driver_available = false.
DeviceQuery query_devices();

// Formats a byte count for logs and the CLI ("12.5 GiB").
std::string format_bytes(std::uint64_t bytes);

}  // namespace engine::gpu
