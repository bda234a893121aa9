// graph.h — graph convolution (Kipf & Welling 2017) on sparse adjacency matrices (nabla/nn/sparse.h).
//
//   sparse::CooTensor A = nn::adjacency_from_edges(edge_index /*int64 [2, E]*/, n);   // symmetric 0/1
//   sparse::CooTensor A_hat = nn::normalized_adjacency(A);                           // D^-1/2 (A+I) D^-1/2
//   nn::GCNConv conv(in_features, out_features);
//   Tensor h = conv.forward(x /*[n, in]*/, A_hat);                                    // A_hat x W^T + b
#pragma once
#include <memory>
#include <string>

#include "nabla/nn/layers.h"
#include "nabla/nn/module.h"
#include "nabla/nn/sparse.h"

namespace nabla::nn {

// The 0/1 adjacency matrix [n, n] of an edge list [2, E] (int64, node ids in [0, n)); with `symmetric`
// each edge is also added in reverse (an undirected graph given once per edge). Repeated edges count once.
sparse::CooTensor adjacency_from_edges(const Tensor& edge_index, int64_t num_nodes, bool symmetric = true);

// The GCN propagation matrix D^-1/2 (A + I) D^-1/2 where D is the degree matrix of A + I (with
// add_self_loops = false: of A itself; a node of degree 0 then gets a zero row). A must be square;
// differentiable in A's values.
sparse::CooTensor normalized_adjacency(const sparse::CooTensor& adjacency, bool add_self_loops = true);

// One graph convolution: A_hat (x W^T) + b, with A_hat from normalized_adjacency. Parameters named as
// PyTorch Geometric's GCNConv (`lin.weight` [out, in], Glorot-initialised; `bias` [out], zeros), so a
// state_dict carries over.
class GCNConv : public Module {
 public:
  GCNConv(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& x, const sparse::CooTensor& normalized_adjacency);
  std::string name() const override { return "GCNConv"; }
  std::string extra_repr() const override;
  int64_t in_features, out_features;
  std::shared_ptr<Linear> lin;
  Tensor bias;
};

}  // namespace nabla::nn
