// sparse.cpp — COO matrices as compositions of dense differentiable ops (Note [Sparse as a composite]).
#include "nabla/nn/sparse.h"

#include <algorithm>
#include <numeric>

#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::sparse {

namespace {
// Row-major linear position of each non-zero: sum_d index[d] * stride[d]. int64 [nnz].
std::vector<int64_t> linear_positions(const Tensor& indices, IntArrayRef sizes) {
  const int64_t ndim = indices.size(0), nnz = indices.size(1);
  Tensor idx = indices.contiguous();
  const int64_t* p = idx.data_ptr<int64_t>();
  std::vector<int64_t> pos(nnz, 0);
  for (int64_t d = 0; d < ndim; ++d)
    for (int64_t k = 0; k < nnz; ++k) pos[k] = pos[k] * sizes[d] + p[d * nnz + k];
  return pos;
}

Tensor int64_tensor(const std::vector<int64_t>& v, std::vector<int64_t> shape) {
  return from_buffer(v.data(), shape, kInt64);
}
}  // namespace

CooTensor::CooTensor(Tensor indices, Tensor values, std::vector<int64_t> sizes)
    : indices_(std::move(indices)), values_(std::move(values)), sizes_(std::move(sizes)) {
  NABLA_CHECK(indices_.defined() && values_.defined(), ValueError,
              "sparse_coo_tensor: indices and values must be defined tensors");
  NABLA_CHECK(indices_.dtype() == kInt64, DTypeError, "sparse_coo_tensor: indices must be int64, got {}",
              dtype_name(indices_.dtype()));
  NABLA_CHECK(indices_.dim() == 2, ShapeError,
              "sparse_coo_tensor: indices must be 2-D [ndim, nnz], got shape {}",
              shape_str(indices_.sizes()));
  NABLA_CHECK(values_.dim() == 1, NotImplementedError,
              "sparse_coo_tensor: values must be 1-D [nnz] (hybrid tensors with dense value dims are not "
              "supported), got shape {}",
              shape_str(values_.sizes()));
  NABLA_CHECK(is_floating(values_.dtype()), DTypeError,
              "sparse_coo_tensor: values must be floating point, got {}", dtype_name(values_.dtype()));
  NABLA_CHECK(indices_.size(1) == values_.size(0), ShapeError,
              "sparse_coo_tensor: indices {} and values {} disagree on the number of non-zeros",
              shape_str(indices_.sizes()), shape_str(values_.sizes()));
  NABLA_CHECK(indices_.size(0) == static_cast<int64_t>(sizes_.size()), ShapeError,
              "sparse_coo_tensor: indices have {} rows but size {} has {} dims", indices_.size(0),
              shape_str(sizes_), sizes_.size());
  NABLA_CHECK(indices_.device() == values_.device(), DeviceError,
              "sparse_coo_tensor: indices on {} but values on {}", indices_.device().str(),
              values_.device().str());
  Tensor idx = indices_.contiguous();
  const int64_t* p = idx.data_ptr<int64_t>();
  const int64_t nnz = indices_.size(1);
  for (int64_t d = 0; d < dim(); ++d) {
    NABLA_CHECK(sizes_[d] >= 0, ValueError, "sparse_coo_tensor: negative size in {}", shape_str(sizes_));
    for (int64_t k = 0; k < nnz; ++k) {
      const int64_t i = p[d * nnz + k];
      NABLA_CHECK(
          i >= 0 && i < sizes_[d], IndexError,
          "sparse_coo_tensor: index {} (non-zero {}) is out of bounds for dim {} of size {} (size {})", i, k,
          d, sizes_[d], shape_str(sizes_));
    }
  }
}

int64_t CooTensor::size(int64_t d) const {
  NABLA_CHECK(d >= -dim() && d < dim(), IndexError, "CooTensor.size: dim {} out of range for {} dims", d,
              dim());
  return sizes_[d < 0 ? d + dim() : d];
}

CooTensor coalesced(CooTensor c) {
  c.coalesced_ = true;
  return c;
}

CooTensor CooTensor::coalesce() const {
  if (coalesced_) return *this;
  const std::vector<int64_t> pos = linear_positions(indices_, sizes_);
  const int64_t nnz = static_cast<int64_t>(pos.size());
  std::vector<int64_t> order(nnz);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return pos[a] < pos[b]; });
  // slot[k]: which output entry non-zero k is summed into.
  std::vector<int64_t> slot(nnz), unique_pos;
  for (int64_t k : order) {
    if (unique_pos.empty() || unique_pos.back() != pos[k]) unique_pos.push_back(pos[k]);
    slot[k] = static_cast<int64_t>(unique_pos.size()) - 1;
  }
  const int64_t n_out = static_cast<int64_t>(unique_pos.size());
  std::vector<int64_t> out_idx(dim() * n_out);
  for (int64_t u = 0; u < n_out; ++u) {
    int64_t rest = unique_pos[u];
    for (int64_t d = dim() - 1; d >= 0; --d) {
      out_idx[d * n_out + u] = rest % sizes_[d];
      rest /= sizes_[d];
    }
  }
  Tensor values =
      zeros({n_out}, {.dtype = values_.dtype()}).scatter_add(0, int64_tensor(slot, {nnz}), values_);
  return coalesced(CooTensor(int64_tensor(out_idx, {dim(), n_out}), values, sizes_));
}

Tensor CooTensor::to_dense() const {
  int64_t numel = 1;
  for (int64_t s : sizes_) numel *= s;
  const int64_t nnz = this->nnz();
  Tensor flat = zeros({numel}, {.dtype = values_.dtype()})
                    .scatter_add(0, int64_tensor(linear_positions(indices_, sizes_), {nnz}), values_);
  return flat.reshape(sizes_);
}

CooTensor CooTensor::t() const {
  NABLA_CHECK(dim() == 2, ShapeError, "CooTensor.t: expects a 2-D matrix, got size {}", shape_str(sizes_));
  return CooTensor(indices_.flip({0}), values_, {sizes_[1], sizes_[0]});
}

CooTensor sparse_coo_tensor(const Tensor& indices, const Tensor& values, IntArrayRef size) {
  return CooTensor(indices, values, size.vec());
}

CooTensor to_sparse(const Tensor& dense) {
  NABLA_CHECK(dense.defined() && dense.dim() >= 1, ShapeError,
              "to_sparse: expects a tensor with at least 1 dim");
  Tensor nz = dense.detach().ne(0).nonzero();  // [nnz, ndim], row-major order: already coalesced
  Tensor indices = nz.t().contiguous();
  Tensor values = dense.reshape({-1}).index_select(
      0, int64_tensor(linear_positions(indices, dense.sizes()), {indices.size(1)}));
  return coalesced(CooTensor(indices, values, dense.sizes().vec()));
}

Tensor mm(const CooTensor& a, const Tensor& dense) {
  NABLA_CHECK(a.dim() == 2, ShapeError, "sparse.mm: the sparse operand must be 2-D, got size {}",
              shape_str(a.sizes()));
  NABLA_CHECK(dense.defined() && (dense.dim() == 2 || dense.dim() == 1), ShapeError,
              "sparse.mm: the dense operand must be 1-D or 2-D, got shape {}",
              dense.defined() ? shape_str(dense.sizes()) : std::string("undefined"));
  NABLA_CHECK(dense.size(0) == a.size(1), ShapeError,
              "sparse.mm: shapes {} (sparse) and {} cannot be multiplied ({} != {})", shape_str(a.sizes()),
              shape_str(dense.sizes()), a.size(1), dense.size(0));
  NABLA_CHECK(dense.dtype() == a.values().dtype(), DTypeError,
              "sparse.mm: the sparse values are {} but the dense operand is {}; convert one of them",
              dtype_name(a.values().dtype()), dtype_name(dense.dtype()));
  const bool vector = dense.dim() == 1;
  Tensor d = vector ? dense.unsqueeze(1) : dense;
  const int64_t f = d.size(1), nnz = a.nnz();
  Tensor rows = a.indices()[0], cols = a.indices()[1];
  // out[row_k] += value_k * dense[col_k]: gather the needed rows, scale, scatter-add into place.
  Tensor contrib = d.index_select(0, cols) * a.values().unsqueeze(1);  // [nnz, f]
  Tensor out = zeros({a.size(0), f}, {.dtype = d.dtype()})
                   .scatter_add(0, rows.unsqueeze(1).expand({nnz, f}).contiguous(), contrib);
  return vector ? out.squeeze(1) : out;
}

}  // namespace nabla::sparse
