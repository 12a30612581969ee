// libFuzzer target: the PyTorch zip checkpoint reader (ZIP directory, pickle subset, storages)
// on arbitrary bytes. Must answer with a Result and never read outside the buffer; accepted
// storages must lie inside the input.

#include "checkpoint/parsed_checkpoint.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace detail = engine::model::detail;
    auto parsed = detail::parse_torch_zip(detail::ByteView{data, size}, "fuzz.pth");
    if (!parsed.ok()) {
        return 0;
    }
    for (const detail::RawTensor& tensor : parsed->tensors) {
        if (tensor.storage_index >= parsed->storages.size()) {
            std::abort();
        }
    }
    for (const detail::RawStorage& storage : parsed->storages) {
        if (storage.size_bytes > 0 &&
            (storage.data < data || storage.data + storage.size_bytes > data + size)) {
            std::abort();
        }
    }
    return 0;
}
