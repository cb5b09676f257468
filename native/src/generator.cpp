// Seeded CPU generators: the only source of randomness for ops that draw (randn, bernoulli, dropout...).
#include "nt.h"
#include <ATen/CPUGeneratorImpl.h>
#include <cstring>

NT_API int32_t nt_generator_new(uint64_t seed, nt_generator* out) {
  NT_GUARD(*out = new at::Generator(at::make_generator<at::CPUGeneratorImpl>(seed)))
}

NT_API void nt_generator_free(nt_generator g) { delete g; }

// Resets the generator as if it had just been made with this seed.
NT_API int32_t nt_generator_set_seed(nt_generator g, uint64_t seed) {
  NT_GUARD({
    auto& gen = nt::gen(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  })
}

NT_API int32_t nt_generator_seed(nt_generator g, uint64_t* seed) { NT_GUARD(*seed = nt::gen(g).current_seed()) }

// The state is an opaque byte string (libtorch's CPUGeneratorImplState); its size is fixed per build.
NT_API int32_t nt_generator_state_size(nt_generator g, int64_t* size) {
  NT_GUARD({
    auto& gen = nt::gen(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    *size = gen.get_state().numel();
  })
}

NT_API int32_t nt_generator_get_state(nt_generator g, uint8_t* buffer, int64_t size) {
  NT_GUARD({
    auto& gen = nt::gen(g);
    std::lock_guard<std::mutex> lock(gen.mutex());
    auto state = gen.get_state();
    if (state.numel() != size) throw std::invalid_argument("generator state holds " + std::to_string(state.numel()) + " bytes, buffer holds " + std::to_string(size));
    std::memcpy(buffer, state.data_ptr(), static_cast<size_t>(size));
  })
}

NT_API int32_t nt_generator_set_state(nt_generator g, const uint8_t* buffer, int64_t size) {
  NT_GUARD({
    auto& gen = nt::gen(g);
    auto state = at::empty({size}, at::TensorOptions().dtype(at::kByte));
    std::memcpy(state.data_ptr(), buffer, static_cast<size_t>(size));
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
  })
}
