// ddp.cpp — DistributedDataParallel: parameter/buffer broadcast and the gradient reducer.
//
// Note [DDP buckets]
// As PyTorch's Reducer: the parameters that require grad are grouped, in reverse registration order
// (backward produces the last layers' gradients first) and by dtype, into buckets of about
// bucket_cap_mb (the first one first_bucket_cap_mb). Every parameter has a post-accumulate-grad hook
// (Tensor::register_post_accumulate_grad_hook). When a bucket's last gradient has been accumulated, the
// hook copies the bucket's gradients into one flat tensor, divides it by the world size and starts an
// asynchronous SUM allreduce on the process group's worker thread; backward meanwhile computes the next
// layers' gradients (the overlap). Buckets are launched strictly in bucket order, the same on every
// rank, so the ranks' collectives match even if gradients become ready in another order. The hook that
// launches the last bucket waits for all of them and copies the averages back into .grad, so when
// backward() returns the gradients are averaged. Differences from PyTorch: the flat buffer is a copy
// (PyTorch can make .grad a view into it: gradient_as_bucket_view), buckets are not rebuilt after the
// first iteration in the observed gradient order, and unused parameters are not searched for
// (find_unused_parameters): a parameter without gradient leaves its bucket unfinished, and the next
// forward raises an error naming it, like PyTorch's.
#include "nabla/distributed/ddp.h"

#include <algorithm>
#include <map>

#include "nabla/autograd/grad_mode.h"
#include "nabla/distributed/process_group.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::distributed {

void broadcast_coalesced(const std::vector<Tensor>& tensors, int src) {
  std::map<DType, std::vector<Tensor>> by_dtype;
  for (const Tensor& t : tensors)
    if (t.defined() && t.numel() > 0) by_dtype[t.dtype()].push_back(t);
  NoGradGuard no_grad;
  for (auto& [dtype, group] : by_dtype) {
    TensorList flat_parts;
    for (const Tensor& t : group) flat_parts.push_back(t.detach().reshape({-1}));
    Tensor flat = cat(flat_parts).contiguous();
    broadcast(flat, src);
    int64_t offset = 0;
    for (const Tensor& t : group) {
      Tensor dst = t.detach();
      dst.copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

class DistributedDataParallel::Reducer {
 public:
  Reducer(std::vector<Tensor> params, std::vector<std::string> names,
          const DistributedDataParallelOptions& options)
      : params_(std::move(params)), names_(std::move(names)), ready_(params_.size(), false) {
    world_ = get_world_size();
    build_buckets(options);
  }
  ~Reducer() {
    for (size_t i = 0; i < params_.size(); ++i) params_[i].remove_hook(hook_ids_[i]);
  }
  // Hooks hold a weak reference: a hook that outlives the DDP object does nothing.
  void install_hooks(const std::shared_ptr<Reducer>& self) {
    std::weak_ptr<Reducer> weak = self;
    for (size_t i = 0; i < params_.size(); ++i)
      hook_ids_.push_back(params_[i].register_post_accumulate_grad_hook([weak, i](const Tensor&) {
        if (auto r = weak.lock()) r->mark_ready(i);
      }));
  }
  // PyTorch's "Expected to have finished reduction in the prior iteration" check.
  void prepare_for_forward() {
    if (marked_ == 0) return;
    std::vector<std::string> missing;
    for (size_t i = 0; i < params_.size(); ++i)
      if (!ready_[i]) missing.push_back(names_[i]);
    wait_launched();
    reset();
    std::string list;
    for (auto& n : missing) list += (list.empty() ? "" : ", ") + n;
    throw AutogradError(fmt::format(
        "DistributedDataParallel: Expected to have finished reduction in the prior iteration before starting "
        "a "
        "new one. This error indicates that your module has parameters that were not used in producing loss "
        "(find_unused_parameters is not supported yet). Parameters that did not receive a gradient: {}",
        list));
  }
  std::vector<std::vector<size_t>> bucket_indices() const {
    std::vector<std::vector<size_t>> out;
    for (auto& b : buckets_) out.push_back(b.params);
    return out;
  }
  bool require_sync = true;

 private:
  struct Bucket {
    std::vector<size_t> params;
    int64_t numel = 0;
    size_t pending = 0;  // gradients still to come this iteration
    Tensor flat;
    WorkPtr work;
  };

  void build_buckets(const DistributedDataParallelOptions& options) {
    NABLA_CHECK(options.bucket_cap_mb > 0 && options.first_bucket_cap_mb > 0, ValueError,
                "DistributedDataParallel: bucket_cap_mb ({}) and first_bucket_cap_mb ({}) must be positive",
                options.bucket_cap_mb, options.first_bucket_cap_mb);
    struct Open {
      Bucket bucket;
      size_t first_position = 0;
      int64_t bytes = 0;
      bool first = true;  // this dtype's first bucket: the smaller cap
    };
    std::map<DType, Open> open;
    std::vector<std::pair<size_t, Bucket>> closed;  // (position of its first parameter, bucket)
    auto close = [&](Open& o) {
      o.bucket.pending = o.bucket.params.size();
      closed.emplace_back(o.first_position, std::move(o.bucket));
      o.bucket = Bucket();
      o.bytes = 0;
      o.first = false;
    };
    for (size_t pos = 0; pos < params_.size(); ++pos) {
      const size_t i = params_.size() - 1 - pos;  // reverse registration order
      const Tensor& p = params_[i];
      Open& o = open[p.dtype()];
      if (o.bucket.params.empty()) o.first_position = pos;
      o.bucket.params.push_back(i);
      o.bucket.numel += p.numel();
      o.bytes += p.numel() * static_cast<int64_t>(dtype_size(p.dtype()));
      const double cap_mb = o.first ? options.first_bucket_cap_mb : options.bucket_cap_mb;
      if (static_cast<double>(o.bytes) >= cap_mb * 1024 * 1024) close(o);
    }
    for (auto& [dtype, o] : open)
      if (!o.bucket.params.empty()) close(o);
    std::stable_sort(closed.begin(), closed.end(), [](auto& a, auto& b) { return a.first < b.first; });
    bucket_of_.assign(params_.size(), 0);
    for (auto& [pos, b] : closed) {
      for (size_t i : b.params) bucket_of_[i] = buckets_.size();
      buckets_.push_back(std::move(b));
    }
  }

  void mark_ready(size_t i) {
    if (!require_sync) return;  // no_sync(): keep accumulating locally
    NABLA_CHECK(
        !ready_[i], AutogradError,
        "DistributedDataParallel: parameter {} ({}) was marked ready twice in one iteration (a second "
        "backward through the same graph before its reduction finished)",
        i, names_[i]);
    ready_[i] = true;
    ++marked_;
    if (--buckets_[bucket_of_[i]].pending == 0) launch_ready_buckets();
  }

  void launch_ready_buckets() {
    NoGradGuard no_grad;
    while (next_launch_ < buckets_.size() && buckets_[next_launch_].pending == 0) {
      Bucket& b = buckets_[next_launch_++];
      TensorList parts;
      for (size_t i : b.params) parts.push_back(params_[i].grad().reshape({-1}));
      b.flat = cat(parts).contiguous();
      b.flat.div_(world_);  // PyTorch divides before the SUM (less overflow risk for large worlds)
      b.work = all_reduce_async(b.flat, ReduceOp::SUM);
    }
    if (next_launch_ == buckets_.size()) finalize();
  }

  void finalize() {
    NoGradGuard no_grad;
    for (auto& b : buckets_) {
      b.work->wait();
      int64_t offset = 0;
      for (size_t i : b.params) {
        Tensor& g = params_[i].mutable_grad();
        g.copy_(b.flat.narrow(0, offset, g.numel()).view(g.sizes()));
        offset += g.numel();
      }
    }
    reset();
  }

  void wait_launched() {
    for (size_t k = 0; k < next_launch_; ++k)
      if (buckets_[k].work) buckets_[k].work->wait();
  }

  void reset() {
    std::fill(ready_.begin(), ready_.end(), false);
    marked_ = 0;
    next_launch_ = 0;
    for (auto& b : buckets_) {
      b.pending = b.params.size();
      b.flat = Tensor();
      b.work.reset();
    }
  }

  std::vector<Tensor> params_;
  std::vector<std::string> names_;
  std::vector<bool> ready_;
  std::vector<int> hook_ids_;
  std::vector<Bucket> buckets_;
  std::vector<size_t> bucket_of_;
  size_t next_launch_ = 0, marked_ = 0;
  int world_ = 1;
};

namespace {

// PyTorch's _verify_param_shape_across_processes: every rank must hold the same parameter shapes.
void verify_same_shapes(const std::vector<Tensor>& params) {
  int64_t count = static_cast<int64_t>(params.size()), numel = 0;
  uint64_t shape_hash = 17;  // unsigned: the hash wraps (signed overflow is undefined; UBSan caught it)
  for (const Tensor& p : params) {
    numel += p.numel();
    for (int64_t s : p.sizes()) shape_hash = shape_hash * 31 + static_cast<uint64_t>(s);
    shape_hash = shape_hash * 31 + static_cast<uint64_t>(p.dtype());
  }
  Tensor mine = tensor({count, numel, static_cast<int64_t>(shape_hash)}, {.dtype = kInt64});
  std::vector<Tensor> all;
  for (int r = 0; r < get_world_size(); ++r) all.push_back(zeros({3}, {.dtype = kInt64}));
  all_gather(all, mine);
  for (int r = 0; r < get_world_size(); ++r) {
    auto v = all[r].to_vector();
    NABLA_CHECK(
        all[r].equal(mine), ValueError,
        "DistributedDataParallel: rank {} has {} parameters of {} elements, rank {} has {} of {} (or their "
        "shapes/dtypes differ): every rank must wrap the same model",
        get_rank(), count, numel, r, static_cast<int64_t>(v[0]), static_cast<int64_t>(v[1]));
  }
}

}  // namespace

void DistributedDataParallel::setup(std::shared_ptr<nn::Module> module,
                                    const DistributedDataParallelOptions& options) {
  NABLA_CHECK(is_initialized(), ValueError,
              "DistributedDataParallel: the default process group is not initialized (call "
              "distributed::init_process_group() first)");
  module_ = std::move(module);
  options_ = options;
  std::vector<Tensor> params;
  std::vector<std::string> names;
  for (auto& [name, p] : module_->named_parameters())
    if (p.requires_grad()) {
      params.push_back(p);
      names.push_back(name);
    }
  verify_same_shapes(params);
  std::vector<Tensor> state = module_->parameters();
  for (auto& b : module_->buffers()) state.push_back(b);
  broadcast_coalesced(state, 0);
  reducer_ = std::make_shared<Reducer>(std::move(params), std::move(names), options_);
  reducer_->install_hooks(reducer_);
}

DistributedDataParallel::~DistributedDataParallel() = default;

Tensor DistributedDataParallel::forward(Tensor input) {
  const bool sync_grads = is_grad_enabled() && reducer_->require_sync;
  if (sync_grads) reducer_->prepare_for_forward();
  if (options_.broadcast_buffers && require_forward_param_sync_ && get_world_size() > 1)
    broadcast_coalesced(module_->buffers(), 0);
  Tensor out = (*module_)(std::move(input));
  require_forward_param_sync_ = sync_grads;  // PyTorch: buffers sync before a forward after a syncing one
  return out;
}

std::vector<std::vector<size_t>> DistributedDataParallel::bucket_indices() const {
  return reducer_->bucket_indices();
}

DistributedDataParallel::NoSyncGuard::NoSyncGuard(DistributedDataParallel& ddp)
    : ddp_(ddp), prev_(ddp.reducer_->require_sync) {
  ddp_.reducer_->require_sync = false;
}
DistributedDataParallel::NoSyncGuard::~NoSyncGuard() { ddp_.reducer_->require_sync = prev_; }

}  // namespace nabla::distributed
