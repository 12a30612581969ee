#include "checkpoint/parsed_checkpoint.h"
#include "engine/model/checkpoint/state_dict.h"

#include <unordered_set>

namespace engine::model {
namespace {

constexpr std::size_t kNamesInMessage = 5;

std::string first_names(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < kNamesInMessage; ++i) {
        out += (i ? ", " : "") + names[i];
    }
    if (names.size() > kNamesInMessage) {
        out += ", ...";
    }
    return out;
}

bool has_any_prefix(const std::string& name, const std::vector<std::string>& prefixes) {
    for (const auto& prefix : prefixes) {
        if (name.compare(0, prefix.size(), prefix) == 0) {
            return true;
        }
    }
    return false;
}

}  // namespace

Status bind_module(torch::nn::Module& module, const StateDict& dict, const BindOptions& options) {
    const std::string file = options.file_label.empty() ? "<state dict>" : options.file_label;
    // Parameters and buffers in registration order; names are the checkpoint keys.
    std::vector<std::pair<std::string, torch::Tensor>> targets;
    for (const auto& item : module.named_parameters(/*recurse=*/true)) {
        targets.emplace_back(item.key(), item.value());
    }
    for (const auto& item : module.named_buffers(/*recurse=*/true)) {
        targets.emplace_back(item.key(), item.value());
    }

    std::vector<std::string> missing;
    std::vector<std::string> mismatched;  // "name: file [..] vs module [..]"
    std::unordered_set<std::string> wanted;
    for (const auto& [name, target] : targets) {
        wanted.insert(name);
        const torch::Tensor* value = dict.find(name);
        if (value == nullptr) {
            missing.push_back(name);
        } else if (value->sizes() != target.sizes()) {
            mismatched.push_back(name + ": file " + detail::shape_string(value->sizes().vec()) +
                                 " vs module " + detail::shape_string(target.sizes().vec()));
        }
    }
    std::vector<std::string> unexpected;
    if (!options.allow_unexpected) {
        for (const auto& [name, tensor] : dict.items()) {
            if (wanted.count(name) == 0 && !has_any_prefix(name, options.ignore_prefixes)) {
                unexpected.push_back(name);
            }
        }
    }

    if (!missing.empty() || !unexpected.empty()) {
        std::string detail = file + " does not match the model: ";
        if (!missing.empty()) {
            detail += std::to_string(missing.size()) +
                      " weights missing (first: " + first_names(missing) + ")";
        }
        if (!unexpected.empty()) {
            detail += std::string(missing.empty() ? "" : "; ") + std::to_string(unexpected.size()) +
                      " unexpected weights (first: " + first_names(unexpected) + ")";
        }
        Error error(ErrorCode::ModelKeysMismatch, detail);
        error.with("path", file)
            .with("missing_count", std::to_string(missing.size()))
            .with("unexpected_count", std::to_string(unexpected.size()));
        if (!missing.empty()) {
            error.with("first_missing", missing.front());
        }
        if (!unexpected.empty()) {
            error.with("first_unexpected", unexpected.front());
        }
        return error;
    }
    if (!mismatched.empty()) {
        return Error(ErrorCode::ModelShapeMismatch,
                     file + ": " + std::to_string(mismatched.size()) +
                         " weights have the wrong shape (first: " + first_names(mismatched) + ")")
            .with("path", file)
            .with("mismatch_count", std::to_string(mismatched.size()))
            .with("key", mismatched.front().substr(0, mismatched.front().find(':')));
    }

    try {
        torch::NoGradGuard no_grad;
        for (auto& [name, target] : targets) {
            // copy_ converts dtype (round to nearest even for bf16/fp16) and device.
            target.copy_(*dict.find(name));
        }
    } catch (const c10::Error& e) {
        return Error(ErrorCode::Internal,
                     "copying weights from " + file + " failed: " + e.what_without_backtrace())
            .with("path", file);
    }
    return {};
}

}  // namespace engine::model
