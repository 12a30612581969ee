#include "engine/gpu/device_info.h"

#include <gtest/gtest.h>

namespace engine::gpu {
namespace {

TEST(DeviceInfoTest, QueryNeverFailsAndExplainsAbsence) {
    DeviceQuery q = query_devices();
    if (!q.driver_available) {
        EXPECT_FALSE(q.problem.empty());
        EXPECT_TRUE(q.devices.empty());
    } else {
        for (const auto& d : q.devices) {
            EXPECT_FALSE(d.name.empty());
            EXPECT_GT(d.memory_total_bytes, 0u);
            EXPECT_LE(d.memory_used_bytes, d.memory_total_bytes);
        }
    }
}

TEST(DeviceInfoTest, FormatBytes) {
    EXPECT_EQ(format_bytes(512), "512 B");
    EXPECT_EQ(format_bytes(1536), "1.5 KiB");
    EXPECT_EQ(format_bytes(80ull * 1024 * 1024 * 1024), "80.0 GiB");
}

}  // namespace
}  // namespace engine::gpu
