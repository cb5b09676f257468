// libtorch's own operator profiler (the legacy autograd profiler): every aten op and autograd backward node between
// start and stop, written as a Chrome trace (a JSON array of complete events) when recording stops. `nas bench --profile`
// reads it to split a step, backward included, by op.
#include "nt.h"
#include <torch/csrc/autograd/profiler_legacy.h>
#include <memory>
#include <mutex>

namespace {
std::mutex recording_lock;
std::unique_ptr<torch::autograd::profiler::RecordProfile> recording;
}  // namespace

NT_API int32_t nt_op_profile_start(const char* path) {
  NT_GUARD({
    std::lock_guard<std::mutex> hold(recording_lock);
    if (recording) throw std::logic_error("an op profile is already being recorded");
    recording = std::make_unique<torch::autograd::profiler::RecordProfile>(std::string(path));
  })
}

// Writes the trace file; a stop without a start is an error.
NT_API int32_t nt_op_profile_stop() {
  NT_GUARD({
    std::lock_guard<std::mutex> hold(recording_lock);
    if (!recording) throw std::logic_error("no op profile is being recorded");
    recording.reset();
  })
}
