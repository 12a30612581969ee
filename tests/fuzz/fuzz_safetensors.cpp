// libFuzzer target: the safetensors header parser on arbitrary bytes. The parser must answer
// with a Result (FileTruncated / ModelDamaged / CheckpointUnsupported) and never read outside
// the buffer; every view it accepts must lie inside its storage.

#include "checkpoint/parsed_checkpoint.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace detail = engine::model::detail;
    auto parsed = detail::parse_safetensors(detail::ByteView{data, size}, "fuzz.safetensors");
    if (!parsed.ok()) {
        return 0;
    }
    for (const detail::RawTensor& tensor : parsed->tensors) {
        if (tensor.storage_index >= parsed->storages.size()) {
            std::abort();  // a view naming a storage that does not exist
        }
        const detail::RawStorage& storage = parsed->storages[tensor.storage_index];
        if (storage.data < data || storage.data + storage.size_bytes > data + size) {
            std::abort();  // a storage outside the input
        }
    }
    return 0;
}
