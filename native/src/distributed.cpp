// Data parallelism through libtorch's c10d: a TCP (or file) store for rendezvous and a Gloo process group for
// all-reduce, broadcast and barrier on CPU tensors. Every failure (a peer gone, a timeout) comes back as a status with
// c10d's or Gloo's message.
#include "nt.h"
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <chrono>
#include <cstring>

typedef c10::intrusive_ptr<c10d::Store>* nt_store;
typedef c10::intrusive_ptr<c10d::ProcessGroupGloo>* nt_group;

namespace {

c10d::Store& store(nt_store s) {
  if (s == nullptr || !*s) throw std::invalid_argument("store handle is null");
  return **s;
}

c10d::ProcessGroupGloo& group(nt_group g) {
  if (g == nullptr || !*g) throw std::invalid_argument("process group handle is null");
  return **g;
}

// Waits for a collective; Gloo's own timeout (the group's) turns a dead or stalled peer into an exception here.
void finish(const c10::intrusive_ptr<c10d::Work>& work) { work->wait(); }

}  // namespace

// A TCP store at host:port; rank 0 (is_server) listens, the others connect. timeout_ms bounds connecting and every get/wait.
NT_API int32_t nt_store_tcp(const char* host, int32_t port, int32_t is_server, int32_t world_size, int64_t timeout_ms, nt_store* out) {
  NT_GUARD({
    c10d::TCPStoreOptions o;
    o.port = static_cast<uint16_t>(port);
    o.isServer = is_server != 0;
    o.numWorkers = static_cast<size_t>(world_size);
    o.waitWorkers = false;
    o.timeout = std::chrono::milliseconds(timeout_ms);
    *out = new c10::intrusive_ptr<c10d::Store>(c10::make_intrusive<c10d::TCPStore>(std::string(host), o));
  })
}

// A store in one file shared by the ranks (tests; no port needed).
NT_API int32_t nt_store_file(const char* path, int32_t world_size, int64_t timeout_ms, nt_store* out) {
  NT_GUARD({
    auto s = c10::make_intrusive<c10d::FileStore>(std::string(path), static_cast<int>(world_size));
    s->setTimeout(std::chrono::milliseconds(timeout_ms));
    *out = new c10::intrusive_ptr<c10d::Store>(s);
  })
}

NT_API void nt_store_free(nt_store s) { delete s; }

NT_API int32_t nt_store_set(nt_store s, const char* key, const uint8_t* value, int64_t size) {
  NT_GUARD(store(s).set(std::string(key), std::vector<uint8_t>(value, value + size)))
}

// Waits (up to the store's timeout) for the key. First call with buffer null to learn the size, then again to copy.
NT_API int32_t nt_store_get(nt_store s, const char* key, uint8_t* buffer, int64_t capacity, int64_t* size) {
  NT_GUARD({
    auto v = store(s).get(std::string(key));
    *size = static_cast<int64_t>(v.size());
    if (buffer != nullptr) {
      if (capacity < *size) throw std::invalid_argument("store value of " + std::string(key) + " holds " + std::to_string(*size) + " bytes, buffer " + std::to_string(capacity));
      std::memcpy(buffer, v.data(), v.size());
    }
  })
}

NT_API int32_t nt_store_add(nt_store s, const char* key, int64_t delta, int64_t* value) {
  NT_GUARD(*value = store(s).add(std::string(key), delta))
}

// A Gloo process group over the store. host: the address this rank's Gloo device binds (empty: the hostname's address).
NT_API int32_t nt_group_gloo(nt_store s, int32_t rank, int32_t world_size, int64_t timeout_ms, const char* host, nt_group* out) {
  NT_GUARD({
    auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::milliseconds(timeout_ms));
    std::string h(host == nullptr ? "" : host);
    options->devices.push_back(h.empty() ? c10d::ProcessGroupGloo::createDefaultDevice() : c10d::ProcessGroupGloo::createDeviceForHostname(h));
    options->threads = 1;
    auto st = *s;
    if (!st) throw std::invalid_argument("store handle is null");
    *out = new c10::intrusive_ptr<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::ProcessGroupGloo>(st, rank, world_size, options));
  })
}

NT_API void nt_group_free(nt_group g) { delete g; }

// Sums (average = 1: then divides by the world size) a list of float32/float64 tensors in place, in buckets of at most bucket_bytes:
// each bucket is flattened into one buffer, reduced by one collective, and copied back. All buckets are launched before
// the first is awaited. Undefined (null) entries are skipped; every rank must pass the same shapes in the same order.
NT_API int32_t nt_group_allreduce(nt_group g, nt_tensor* tensors, int32_t n, int32_t average, int64_t bucket_bytes, int32_t* calls) {
  NT_GUARD({
    auto& pg = group(g);
    std::vector<std::vector<at::Tensor>> buckets;
    std::vector<at::Tensor> current;
    int64_t bytes = 0;
    for (int32_t i = 0; i < n; i++) {
      if (tensors[i] == nullptr) continue;
      auto& t = *tensors[i];
      if (t.scalar_type() != at::kFloat && t.scalar_type() != at::kDouble)
        throw std::invalid_argument("all-reduce takes float32 or float64 tensors, entry " + std::to_string(i) + " is " + c10::toString(t.scalar_type()));
      int64_t b = t.numel() * static_cast<int64_t>(t.element_size());
      // A bucket is one flat buffer of one dtype: a full bucket or a change of dtype starts the next.
      if (!current.empty() && (bytes + b > bucket_bytes || current.front().scalar_type() != t.scalar_type())) {
        buckets.push_back(std::move(current));
        current.clear();
        bytes = 0;
      }
      current.push_back(t);
      bytes += b;
    }
    if (!current.empty()) buckets.push_back(std::move(current));
    std::vector<at::Tensor> flats;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    for (auto& bucket : buckets) {
      std::vector<at::Tensor> views;
      for (auto& t : bucket) views.push_back(t.reshape({-1}));
      flats.push_back(at::cat(views));
      std::vector<at::Tensor> one{flats.back()};
      works.push_back(pg.allreduce(one));
    }
    for (auto& w : works) finish(w);
    double size = pg.getSize();
    for (size_t k = 0; k < buckets.size(); k++) {
      auto& flat = flats[k];
      if (average) flat.div_(size);
      int64_t offset = 0;
      for (auto& t : buckets[k]) {
        t.copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
        offset += t.numel();
      }
    }
    *calls = static_cast<int32_t>(buckets.size());
  })
}

// Overwrites the tensor on every rank with root's.
NT_API int32_t nt_group_broadcast(nt_group g, nt_tensor t, int32_t root) {
  NT_GUARD({
    auto& pg = group(g);
    if (t == nullptr) throw std::invalid_argument("broadcast of a null tensor");
    std::vector<at::Tensor> one{*t};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    finish(pg.broadcast(one, o));
  })
}

NT_API int32_t nt_group_barrier(nt_group g) { NT_GUARD(finish(group(g).barrier())) }

NT_API int32_t nt_group_rank(nt_group g, int32_t* rank, int32_t* size) {
  NT_GUARD({
    *rank = group(g).getRank();
    *size = group(g).getSize();
  })
}
