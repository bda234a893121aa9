// graph.cpp — adjacency matrices and GCNConv (Kipf & Welling 2017, "Semi-Supervised Classification with
// Graph Convolutional Networks", eq. 2).
#include "nabla/nn/graph.h"

#include <fmt/format.h>

#include "nabla/nn/init.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::nn {

sparse::CooTensor adjacency_from_edges(const Tensor& edge_index, int64_t num_nodes, bool symmetric) {
  NABLA_CHECK(edge_index.defined() && edge_index.dim() == 2 && edge_index.size(0) == 2, ShapeError,
              "adjacency_from_edges: edge_index must be [2, E], got {}",
              edge_index.defined() ? shape_str(edge_index.sizes()) : std::string("undefined"));
  NABLA_CHECK(edge_index.dtype() == kInt64, DTypeError,
              "adjacency_from_edges: edge_index must be int64, got {}", dtype_name(edge_index.dtype()));
  Tensor idx = symmetric ? cat({edge_index, edge_index.flip({0})}, 1) : edge_index;
  // Duplicates (an edge listed twice, or both ways with symmetric) sum to 2: clamp back to 1.
  sparse::CooTensor a =
      sparse::sparse_coo_tensor(idx, ones({idx.size(1)}), {num_nodes, num_nodes}).coalesce();
  return sparse::sparse_coo_tensor(a.indices(), a.values().clamp(0.0, 1.0), {num_nodes, num_nodes})
      .coalesce();
}

sparse::CooTensor normalized_adjacency(const sparse::CooTensor& adjacency, bool add_self_loops) {
  NABLA_CHECK(adjacency.dim() == 2 && adjacency.size(0) == adjacency.size(1), ShapeError,
              "normalized_adjacency: expects a square matrix, got size {}", shape_str(adjacency.sizes()));
  const int64_t n = adjacency.size(0);
  sparse::CooTensor a = adjacency;
  if (add_self_loops) {
    Tensor self = arange(n).to(kInt64).unsqueeze(0).expand({2, n});
    a = sparse::sparse_coo_tensor(cat({adjacency.indices(), self}, 1),
                                  cat({adjacency.values(), ones({n}, {.dtype = adjacency.values().dtype()})}),
                                  {n, n});
  }
  a = a.coalesce();
  Tensor degree = sparse::mm(a, ones({n}, {.dtype = a.values().dtype()}));  // row sums
  // deg^-1/2, with 0 for isolated nodes (PyG: masked_fill of inf with 0).
  Tensor inv_sqrt = degree.pow(-0.5).masked_fill(degree.eq(0), 0.0);
  Tensor rows = a.indices()[0], cols = a.indices()[1];
  Tensor values = a.values() * inv_sqrt.index_select(0, rows) * inv_sqrt.index_select(0, cols);
  return sparse::sparse_coo_tensor(a.indices(), values, {n, n}).coalesce();
}

GCNConv::GCNConv(int64_t in, int64_t out, bool with_bias) : in_features(in), out_features(out) {
  NABLA_CHECK(in > 0 && out > 0, ValueError,
              "GCNConv: in_features and out_features must be positive, got {} and {}", in, out);
  lin = register_module("lin", std::make_shared<Linear>(in, out, /*bias=*/false));
  {
    NoGradGuard no_grad;
    init::xavier_uniform_(lin->weight);  // PyG's glorot
  }
  if (with_bias) bias = register_parameter("bias", zeros({out}));
}

Tensor GCNConv::forward(const Tensor& x, const sparse::CooTensor& a_hat) {
  NABLA_CHECK(x.defined() && x.dim() == 2 && x.size(1) == in_features, ShapeError,
              "GCNConv: expects node features [num_nodes, {}], got {}", in_features,
              x.defined() ? shape_str(x.sizes()) : std::string("undefined"));
  NABLA_CHECK(a_hat.dim() == 2 && a_hat.size(0) == x.size(0) && a_hat.size(1) == x.size(0), ShapeError,
              "GCNConv: the adjacency {} does not match {} nodes", shape_str(a_hat.sizes()), x.size(0));
  // Transform first, then propagate: the sparse product then runs on out_features columns, not in_features.
  Tensor h = sparse::mm(a_hat, (*lin)(x));
  return bias.defined() ? h + bias : h;
}

std::string GCNConv::extra_repr() const { return fmt::format("{}, {}", in_features, out_features); }

}  // namespace nabla::nn
