// Sparse COO matrices, sparse x dense products and GCN pieces against PyTorch (tests/golden/sparse.json from
// gen_sparse_golden.py, float64), float64 gradcheck of the product, errors; Zachary's karate club against
// networkx (tests/golden/karate_club.json).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "expect_error.h"
#include "golden/golden_json.h"

using namespace nabla;
using nabla::testing::expect_error;
using json = nlohmann::json;

namespace {
Tensor f64(const json& j) {
  std::vector<double> v = j["data"].get<std::vector<double>>();
  return from_buffer(v.data(), j["shape"].get<std::vector<int64_t>>(), kFloat64);
}
Tensor i64(const json& j) {
  std::vector<int64_t> v = j["data"].get<std::vector<int64_t>>();
  return from_buffer(v.data(), j["shape"].get<std::vector<int64_t>>(), kInt64);
}
void expect_close(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_EQ(got.sizes().vec(), want.sizes().vec()) << what;
  EXPECT_TRUE(allclose(got.to(kFloat64), want, 1e-12, 1e-12))
      << what << "\n got " << got << "\n want " << want;
}
const json& golden() {
  static const json j = golden_io::load_json("sparse.json");
  return j;
}
}  // namespace

TEST(SparseCoo, CoalesceToDenseAndMmMatchPyTorch) {
  ASSERT_GE(golden()["coo"].size(), 4u);
  for (const json& c : golden()["coo"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    Tensor values = f64(c["values"]).requires_grad_(), dense = f64(c["dense"]).requires_grad_();
    auto a = sparse::sparse_coo_tensor(i64(c["indices"]), values, c["size"].get<std::vector<int64_t>>());
    EXPECT_FALSE(a.is_coalesced());
    sparse::CooTensor co = a.coalesce();
    EXPECT_TRUE(co.is_coalesced());
    EXPECT_TRUE(co.indices().equal(i64(c["coalesced_indices"])));
    expect_close(co.values(), f64(c["coalesced_values"]), "coalesced values");
    expect_close(a.to_dense(), f64(c["to_dense"]), "to_dense");
    Tensor out = sparse::mm(a, dense);
    expect_close(out, f64(c["mm"]), "sparse.mm");
    (out * f64(c["grad_output"])).sum().backward();
    expect_close(values.grad(), f64(c["grad_values"]), "grad of values");
    expect_close(dense.grad(), f64(c["grad_dense"]), "grad of dense");
    // The coalesced matrix gives the same product.
    expect_close(sparse::mm(co, dense), f64(c["mm"]), "sparse.mm of the coalesced matrix");
  }
}

TEST(SparseCoo, MmGradcheckInValuesAndDense) {
  const json& c = golden()["coo"][1];  // with duplicates
  Tensor indices = i64(c["indices"]);
  const auto size = c["size"].get<std::vector<int64_t>>();
  auto fn = [&](const TensorList& in) -> TensorList {
    return {sparse::mm(sparse::sparse_coo_tensor(indices, in[0], size), in[1])};
  };
  EXPECT_TRUE(gradcheck(fn, {f64(c["values"]).requires_grad_(), f64(c["dense"]).requires_grad_()}));
  auto dense_fn = [&](const TensorList& in) -> TensorList {
    return {sparse::sparse_coo_tensor(indices, in[0], size).coalesce().to_dense()};
  };
  EXPECT_TRUE(gradcheck(dense_fn, {f64(c["values"]).requires_grad_()}));
}

TEST(SparseCoo, VectorProductTransposeAndToSparse) {
  Tensor d = tensor({{0., 2., 0.}, {1., 0., 0.}, {0., 0., 3.}, {0., 0., 0.}}, {.dtype = kFloat64});
  sparse::CooTensor s = sparse::to_sparse(d);
  EXPECT_TRUE(s.is_coalesced());
  EXPECT_EQ(s.nnz(), 3);
  EXPECT_TRUE(s.to_dense().equal(d));
  EXPECT_TRUE(s.t().to_dense().equal(d.t()));
  Tensor v = tensor({1., 2., 3.}, {.dtype = kFloat64});
  EXPECT_TRUE(sparse::mm(s, v).equal(matmul(d, v)));
  EXPECT_EQ(sparse::mm(s, v).sizes().vec(), (std::vector<int64_t>{4}));
}

TEST(SparseCoo, BadInputIsATypedError) {
  Tensor idx = tensor({{0, 1}, {2, 3}}), vals = tensor({1.f, 2.f});
  expect_error<IndexError>(
      [&] {
        sparse::sparse_coo_tensor(idx, vals, {2, 3});
      },
      {"index 3", "dim 1", "size 3"});
  expect_error<DTypeError>([&] { sparse::sparse_coo_tensor(idx.to(kInt32), vals, {4, 4}); }, "int64");
  expect_error<ShapeError>(
      [&] {
        sparse::sparse_coo_tensor(idx, tensor({1.f}), {4, 4});
      },
      "number of non-zeros");
  expect_error<ShapeError>([&] { sparse::sparse_coo_tensor(idx, vals, {4, 4, 4}); }, "[4, 4, 4]");
  expect_error<NotImplementedError>([&] { sparse::sparse_coo_tensor(idx, ones({2, 3}), {4, 4}); }, "hybrid");
  auto a = sparse::sparse_coo_tensor(idx, vals, {4, 4});
  expect_error<ShapeError>([&] { sparse::mm(a, ones({3, 2})); }, {"[4, 4]", "[3, 2]"});
  expect_error<DTypeError>([&] { sparse::mm(a, ones({4, 2}, {.dtype = kFloat64})); }, {"float32", "float64"});
}

TEST(Gcn, AdjacencyNormalizationAndLayerMatchPyTorch) {
  const json& g = golden()["gcn"];
  const int64_t n = g["num_nodes"].get<int64_t>();
  sparse::CooTensor a = nn::adjacency_from_edges(i64(g["edges"]), n);
  expect_close(a.to_dense(), f64(g["adjacency"]), "adjacency");
  sparse::CooTensor a64 = sparse::sparse_coo_tensor(a.indices(), a.values().to(kFloat64), {n, n});
  expect_close(nn::normalized_adjacency(a64).to_dense(), f64(g["normalized"]), "D^-1/2 (A+I) D^-1/2");
  expect_close(nn::normalized_adjacency(a64, false).to_dense(), f64(g["normalized_no_self_loops"]),
               "D^-1/2 A D^-1/2 (isolated node: zero row)");
  // Listing an edge twice, or in both directions, changes nothing.
  Tensor both_ways = cat({i64(g["edges"]), i64(g["edges"]).flip({0})}, 1);
  EXPECT_TRUE(nn::adjacency_from_edges(both_ways, n).to_dense().equal(a.to_dense()));

  nn::GCNConv conv(3, 4);
  EXPECT_EQ(conv.lin->weight.sizes().vec(), (std::vector<int64_t>{4, 3}));
  std::vector<std::string> names;
  for (auto& item : conv.named_parameters()) names.push_back(item.key());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"bias", "lin.weight"}));  // PyTorch Geometric's names
  conv.to(kFloat64);
  {
    NoGradGuard no_grad;
    conv.lin->weight.copy_(f64(g["weight"]));
    conv.bias.copy_(f64(g["bias"]));
  }
  expect_close(conv.forward(f64(g["x"]), nn::normalized_adjacency(a64)), f64(g["out"]), "GCNConv");
  expect_error<ShapeError>(
      [&] {
        conv.forward(ones({n, 5}, {.dtype = kFloat64}), nn::normalized_adjacency(a64));
      },
      "[6, 5]");
}

TEST(KarateClub, MatchesNetworkx) {
  const json k = golden_io::load_json("karate_club.json");
  data::Graph g = data::karate_club();
  EXPECT_EQ(g.num_nodes(), 34);
  ASSERT_EQ(g.edge_index.sizes().vec(), (std::vector<int64_t>{2, 78}));
  const auto edges = k["edges"].get<std::vector<std::array<int64_t, 2>>>();
  ASSERT_EQ(edges.size(), 78u);
  for (int64_t e = 0; e < 78; ++e) {
    EXPECT_EQ(g.edge_index[0][e].item<int64_t>(), edges[e][0]) << "edge " << e;
    EXPECT_EQ(g.edge_index[1][e].item<int64_t>(), edges[e][1]) << "edge " << e;
  }
  const auto club = k["club"].get<std::vector<std::string>>();
  for (int64_t i = 0; i < 34; ++i) EXPECT_EQ(g.classes[g.labels[i].item<int64_t>()], club[i]) << "node " << i;
}
