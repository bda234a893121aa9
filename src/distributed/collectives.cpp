// collectives.cpp — all_reduce, broadcast, all_gather, barrier on CPU tensors, run by the process
// group's worker thread (Note [One MPI thread], process_group.cpp).
#include <climits>

#include "distributed/process_group_impl.h"
#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::distributed {
namespace {

using detail::mpi_error;

std::string describe(const char* op, const Tensor& t) {
  return fmt::format("{} ({} tensor of shape {})", op, dtype_name(t.dtype()), shape_str(t.sizes()));
}

// The checks every collective makes on a tensor it reads or writes.
void check_tensor(const char* op, const Tensor& t) {
  NABLA_CHECK(t.defined(), ValueError, "{}: the tensor is undefined", op);
  NABLA_CHECK(t.is_cpu(), DeviceError, "{}: only CPU tensors are supported, got a tensor on {}", op,
              t.device().str());
  const DType d = t.dtype();
  NABLA_CHECK(d == kFloat32 || d == kFloat64 || d == kInt64, DTypeError,
              "{}: unsupported dtype {} (float32, float64 or int64) for a tensor of shape {}", op,
              dtype_name(d), shape_str(t.sizes()));
  NABLA_CHECK(
      t.is_contiguous(), ValueError,
      "{}: the tensor must be contiguous, got a non-contiguous {} tensor of shape {} (call .contiguous())",
      op, dtype_name(d), shape_str(t.sizes()));
}

MPI_Datatype mpi_type(DType d) {
  switch (d) {
    case DType::Float32:
      return MPI_FLOAT;
    case DType::Float64:
      return MPI_DOUBLE;
    default:
      return MPI_INT64_T;
  }
}

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::SUM:
    case ReduceOp::AVG:
      return MPI_SUM;
    case ReduceOp::PRODUCT:
      return MPI_PROD;
    case ReduceOp::MIN:
      return MPI_MIN;
    case ReduceOp::MAX:
      return MPI_MAX;
  }
  return MPI_SUM;
}

template <typename T>
void divide(void* data, int64_t n, int by) {
  T* p = static_cast<T*>(data);
  for (int64_t i = 0; i < n; ++i) p[i] /= static_cast<T>(by);
}

}  // namespace

WorkPtr all_reduce_async(const Tensor& tensor, ReduceOp op) {
  check_tensor("all_reduce", tensor);
  NABLA_CHECK(op != ReduceOp::AVG || tensor.is_floating_point(), DTypeError,
              "all_reduce: ReduceOp::AVG needs a floating tensor, got {} of shape {} (use SUM and divide)",
              dtype_name(tensor.dtype()), shape_str(tensor.sizes()));
  MPI_Comm comm = detail::communicator("all_reduce");
  const int size = get_world_size();
  std::string what = describe("all_reduce", tensor);
  return detail::enqueue("all_reduce", what, [t = tensor, op, comm, size, what]() -> std::string {
    char* p = static_cast<char*>(t.data_ptr());
    const int64_t n = t.numel(), esize = static_cast<int64_t>(dtype_size(t.dtype()));
    for (int64_t done = 0; done < n;) {  // MPI counts are ints: large tensors go in chunks
      const int count = static_cast<int>(std::min<int64_t>(n - done, INT_MAX));
      int rc = MPI_Allreduce(MPI_IN_PLACE, p + done * esize, count, mpi_type(t.dtype()), mpi_op(op), comm);
      if (rc != MPI_SUCCESS) return mpi_error(rc, what);
      done += count;
    }
    if (op == ReduceOp::AVG) {
      if (t.dtype() == kFloat32)
        divide<float>(p, n, size);
      else
        divide<double>(p, n, size);
    }
    t.impl()->storage()->bump_version();
    return "";
  });
}

void all_reduce(const Tensor& tensor, ReduceOp op) { all_reduce_async(tensor, op)->wait(); }

void broadcast(const Tensor& tensor, int src) {
  check_tensor("broadcast", tensor);
  MPI_Comm comm = detail::communicator("broadcast");
  const int size = get_world_size();  // cached: after init only the worker thread calls MPI
  NABLA_CHECK(src >= 0 && src < size, ValueError, "broadcast: src rank {} is out of range for world size {}",
              src, size);
  std::string what = describe("broadcast", tensor);
  detail::enqueue("broadcast", what, [t = tensor, src, comm, what]() -> std::string {
    char* p = static_cast<char*>(t.data_ptr());
    const int64_t n = t.numel(), esize = static_cast<int64_t>(dtype_size(t.dtype()));
    for (int64_t done = 0; done < n;) {
      const int count = static_cast<int>(std::min<int64_t>(n - done, INT_MAX));
      int rc = MPI_Bcast(p + done * esize, count, mpi_type(t.dtype()), src, comm);
      if (rc != MPI_SUCCESS) return mpi_error(rc, what);
      done += count;
    }
    t.impl()->storage()->bump_version();
    return "";
  })->wait();
}

void all_gather(std::vector<Tensor>& tensor_list, const Tensor& tensor) {
  check_tensor("all_gather", tensor);
  MPI_Comm comm = detail::communicator("all_gather");
  const int size = get_world_size();  // cached: after init only the worker thread calls MPI
  NABLA_CHECK(static_cast<int>(tensor_list.size()) == size, ValueError,
              "all_gather: tensor_list has {} tensors, expected one per rank ({})", tensor_list.size(), size);
  for (size_t i = 0; i < tensor_list.size(); ++i) {
    const Tensor& out = tensor_list[i];
    NABLA_CHECK(out.defined(), ValueError, "all_gather: tensor_list[{}] is undefined", i);
    NABLA_CHECK(out.dtype() == tensor.dtype(), DTypeError,
                "all_gather: tensor_list[{}] has dtype {}, the input tensor {} (they must match)", i,
                dtype_name(out.dtype()), dtype_name(tensor.dtype()));
    NABLA_CHECK(out.sizes() == tensor.sizes(), ShapeError,
                "all_gather: tensor_list[{}] has shape {}, the input tensor {} (they must match)", i,
                shape_str(out.sizes()), shape_str(tensor.sizes()));
  }
  const int64_t n = tensor.numel();
  NABLA_CHECK(n <= INT_MAX, NotImplementedError, "all_gather: tensors of more than {} elements (got {})",
              INT_MAX, n);
  Tensor gathered = empty({size, n}, {.dtype = tensor.dtype()});
  std::string what = describe("all_gather", tensor);
  detail::enqueue("all_gather", what, [in = tensor, gathered, n, comm, what]() -> std::string {
    int rc = MPI_Allgather(in.data_ptr(), static_cast<int>(n), mpi_type(in.dtype()), gathered.data_ptr(),
                           static_cast<int>(n), mpi_type(in.dtype()), comm);
    return rc == MPI_SUCCESS ? "" : mpi_error(rc, what);
  })->wait();
  NoGradGuard no_grad;
  for (int i = 0; i < size; ++i) tensor_list[i].copy_(gathered[i].view(tensor.sizes()));
}

void barrier() {
  MPI_Comm comm = detail::communicator("barrier");
  detail::enqueue("barrier", "barrier", [comm]() -> std::string {
    int rc = MPI_Barrier(comm);
    return rc == MPI_SUCCESS ? "" : mpi_error(rc, "barrier");
  })->wait();
}

}  // namespace nabla::distributed
