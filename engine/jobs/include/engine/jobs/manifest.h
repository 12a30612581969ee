#pragma once
// The resume manifest: a JSON file in the job's checkpoint folder, rewritten atomically (temp
// file, fsync, rename, fsync of the folder) after every finished segment. It is the only record
// of progress: a segment counts as done when, and only when, the manifest lists it; segment files
// it does not list are leftovers of a crash and are deleted on resume.
//
// One manifest per frame range: "manifest_<first>_<end>.json" (end -1 = to the end), so render
// farm machines running disjoint ranges into one shared folder never write the same file.

#include "engine/core/frame.h"
#include "engine/core/result.h"
#include "engine/jobs/identity.h"
#include "engine/jobs/job_spec.h"
#include "engine/jobs/planner.h"
#include "engine/jobs/segment_plan.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace engine::jobs {

inline constexpr int kManifestVersion = 1;

// One finished segment and the files that hold it.
struct SegmentFile {
    std::string name;  // relative to the segment's folder (checkpoint folder or picture output)
    std::uint64_t size_bytes = 0;
    std::string hash;  // XXH64 hex of the whole file
};

struct SegmentRecord {
    int index = 0;
    std::int64_t first = 0;  // output frames [first, end), source indices
    std::int64_t end = 0;
    // Video: one lossless FFV1/MKV chunk in the checkpoint folder. Pictures: the final numbered
    // frames in the output folder.
    std::vector<SegmentFile> files;
    // Video: presentation time of every output frame (source time base), because the
    // intermediate container rounds timestamps and the final file must keep the source's.
    std::vector<std::int64_t> pts;
    // FlashVSR: the tiling this segment ran with. Usually the manifest's `tiles`; smaller when
    // the segment ran out of GPU memory and was retried (tiles change pixels, so this is
    // recorded: the segment is kept as made, and the job's report lists the retry).
    std::optional<TileChoice> tiles;
};

// The format of processed frames as the segments store them.
struct IntermediateFormat {
    int width = 0;
    int height = 0;
    SampleType type = SampleType::U8;
    int bit_depth = 8;
    Rational time_base{1, 1};
    Rational frame_rate;
};

struct Manifest {
    int version = kManifestVersion;
    std::string job_id;
    JobSpec spec;  // as the job was started (the reference for fingerprint and final assembly)
    std::string settings_fingerprint;
    ModelIdentity model;
    InputIdentity input;
    SegmentPlan plan;
    IntermediateFormat intermediate;
    std::optional<double> hdr_l_max;  // measured once, shared by every segment and resume
    // FlashVSR: the tiling segments start with, chosen once (the planner, for tile_size 0 = auto)
    // and reused by every resume, since tiles change pixels. Absent in manifests written before
    // tiling existed (they ran untiled). The plan's scene cuts are stored with the plan.
    std::optional<TileChoice> tiles;
    std::vector<SegmentRecord> finished;  // sorted by index
    std::string updated_at;               // UTC, ISO 8601, informational

    bool is_finished(int segment_index) const;
    // Inserts or replaces the record of that segment, keeping `finished` sorted.
    void add_finished(SegmentRecord record);
    std::int64_t finished_frames() const;
};

std::string to_json(const Manifest& manifest);
// ManifestCorrupt (with "path" when given) for anything that is not a manifest we wrote.
Result<Manifest> manifest_from_json(std::string_view json_text,
                                    std::string_view path_for_errors = {});

// "manifest_<first>_<end>.json"
std::string manifest_file_name(std::int64_t first_frame, std::int64_t end_frame);
// The manifests in a checkpoint folder (any range), sorted by name.
std::vector<std::filesystem::path> list_manifests(const std::filesystem::path& checkpoint_dir);

// std::nullopt when the file does not exist; ManifestCorrupt when unreadable or invalid.
Result<std::optional<Manifest>> read_manifest(const std::filesystem::path& path);
// Atomic replace (engine::write_file_atomically); sets updated_at. Not safe for two writers of
// the same path at once: callers serialise (the runner holds one lock per job).
Status write_manifest(const std::filesystem::path& path, Manifest& manifest);

}  // namespace engine::jobs
