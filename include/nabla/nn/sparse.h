// sparse.h — sparse COO matrices (torch.sparse_coo_tensor) and sparse x dense products (torch.sparse.mm),
// enough for graph networks: an adjacency matrix with E non-zeros times node features costs O(E * F).
//
//   auto A = sparse::sparse_coo_tensor(indices /*int64 [2, nnz]*/, values /*[nnz]*/, {n, n});
//   Tensor y = sparse::mm(A, x);   // [n, n] x [n, f] -> [n, f]; gradients reach x and A.values()
//
// Note [Sparse as a composite]
// The products are built from differentiable dense ops (index_select, mul, scatter_add), so autograd,
// gradcheck and both backends come for free and there is no new op-table row or layout: a CooTensor is a
// plain value (indices, values, sizes), not a Tensor. Only 2-D-and-up "sparse dims" with scalar values
// are supported (no hybrid tensors with dense value dims).
#pragma once
#include <cstdint>
#include <vector>

#include "nabla/tensor/int_array.h"
#include "nabla/tensor/tensor.h"

namespace nabla::sparse {

class CooTensor {
 public:
  CooTensor() = default;
  // Checks like PyTorch's: indices int64 [ndim, nnz] with ndim == sizes.size(), values 1-D [nnz] of a
  // floating dtype, every index in [0, size) (ShapeError / DTypeError / IndexError naming what was wrong).
  CooTensor(Tensor indices, Tensor values, std::vector<int64_t> sizes);

  const Tensor& indices() const { return indices_; }
  const Tensor& values() const { return values_; }
  IntArrayRef sizes() const { return sizes_; }
  int64_t size(int64_t dim) const;
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t nnz() const { return values_.defined() ? values_.size(0) : 0; }
  bool is_coalesced() const { return coalesced_; }

  // Sorted indices (row-major order), duplicates summed; differentiable in values.
  CooTensor coalesce() const;
  // The dense tensor, duplicates summed; differentiable in values.
  Tensor to_dense() const;
  // The transpose of a 2-D matrix (indices rows swapped).
  CooTensor t() const;

 private:
  friend CooTensor coalesced(CooTensor);
  Tensor indices_, values_;
  std::vector<int64_t> sizes_;
  bool coalesced_ = false;
};

// torch.sparse_coo_tensor(indices, values, size).
CooTensor sparse_coo_tensor(const Tensor& indices, const Tensor& values, IntArrayRef size);
// A dense matrix's non-zeros as a coalesced COO matrix (Tensor.to_sparse()); gradients reach `dense`
// through the values.
CooTensor to_sparse(const Tensor& dense);
// torch.sparse.mm: sparse [n, m] x dense [m, f] -> dense [n, f] (a 1-D dense [m] gives [n]). Same
// floating dtype on both sides (DTypeError otherwise, as PyTorch).
Tensor mm(const CooTensor& a, const Tensor& dense);

}  // namespace nabla::sparse
