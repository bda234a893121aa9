// planetoid.cpp — the Planetoid citation graphs (Cora, CiteSeer, PubMed) from their eight files, built
// the way PyTorch Geometric's read_planetoid_data builds them (torch_geometric/io/planetoid.py; the
// expected values of tests/data/planetoid_test.cpp are computed by that logic in
// tests/golden/gen_planetoid_fixture.py).
//
// The files (Yang et al.'s format): allx/ally are the features and one-hot labels of the nodes that are
// not test nodes, in node order; x/y their first rows (the labelled training nodes); tx/ty the test nodes'
// rows, in the order of test.index, which names their node ids; graph maps a node to its neighbours.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "data/dataset_files.h"
#include "nabla/data/datasets.h"
#include "nabla/io/numpy_pickle.h"
#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::data {

namespace {

constexpr int64_t kValNodes = 500;                       // the standard split's validation nodes
constexpr int64_t kMaxFeatureValues = int64_t{1} << 28;  // N x F of the dense features (1 GiB of float32)

constexpr const char* kWhereFrom =
    "the Planetoid files ind.<name>.{x,tx,allx,y,ty,ally,graph,test.index} come from "
    "https://github.com/kimiyoung/planetoid (data/), also in https://github.com/tkipf/gcn (gcn/data/) and "
    "in PyTorch Geometric's Planetoid raw/ folder";

struct Files {
  std::string dir, prefix;  // prefix: "ind.cora"
  std::string operator()(const std::string& part) const { return dir + "/" + prefix + "." + part; }
};

// root/ind.<name>.* or PyG's root/<name>/raw/ind.<name>.*; every file must be there.
Files locate(const std::string& root, const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  NABLA_CHECK(!lower.empty() && lower.find('/') == std::string::npos, ValueError,
              "load_planetoid: name '{}' should be a data set's name such as Cora, CiteSeer or PubMed", name);
  Files f{root, "ind." + lower};
  if (!detail::is_file(f("x")) && detail::is_file(root + "/" + name + "/raw/" + f.prefix + ".x"))
    f.dir = root + "/" + name + "/raw";
  for (const char* part : {"x", "tx", "allx", "y", "ty", "ally", "graph", "test.index"})
    NABLA_CHECK(detail::is_file(f(part)), IOError, "load_planetoid: {}: no such file ({})", f(part),
                kWhereFrom);
  return f;
}

// test.index: one node id per line.
std::vector<int64_t> read_test_index(const std::string& path) {
  std::ifstream in(path);
  NABLA_CHECK(in.good(), IOError, "{}: cannot open file", path);
  std::vector<int64_t> ids;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    std::istringstream words(line);
    for (std::string w; words >> w;) {
      int64_t v = 0;
      const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
      NABLA_CHECK(ec == std::errc() && end == w.data() + w.size() && v >= 0, IOError,
                  "{}: line {}: '{}' is not a node id (a non-negative integer)", path, number,
                  w.size() > 20 ? w.substr(0, 20) + "..." : w);
      ids.push_back(v);
    }
  }
  NABLA_CHECK(!ids.empty(), IOError, "{}: holds no test node ids", path);
  return ids;
}

// A one-hot label matrix [rows, C] from a pickled ndarray, as float64.
Tensor read_labels(const std::string& path) {
  Tensor t = io::load_pickled_ndarray(path);
  NABLA_CHECK(t.dim() == 2 && t.size(1) > 0, IOError,
              "{}: labels should be a 2-D array [nodes, classes], got shape {}", path, shape_str(t.sizes()));
  return t.to(kFloat64).contiguous();
}

// Adds row r of m to dst (F floats).
void add_row(const io::CsrMatrix& m, const Tensor& values, int64_t r, float* dst) {
  const int64_t* p = m.indptr.data_ptr<int64_t>();
  const int64_t* c = m.indices.data_ptr<int64_t>();
  const float* v = values.data_ptr<float>();
  for (int64_t k = p[r]; k < p[r + 1]; ++k) dst[c[k]] += v[k];
}

// The pieces read from the files, checked against each other.
struct Raw {
  io::CsrMatrix x, tx, allx;
  Tensor y, ty, ally;  // float64 [rows, C]
  io::DictOfLists graph;
  std::vector<int64_t> test_index, sorted_test;
  int64_t num_nodes = 0;
};

Raw read_files(const Files& f) {
  Raw r{io::load_pickled_csr_matrix(f("x")),
        io::load_pickled_csr_matrix(f("tx")),
        io::load_pickled_csr_matrix(f("allx")),
        read_labels(f("y")),
        read_labels(f("ty")),
        read_labels(f("ally")),
        io::load_pickled_dict_of_lists(f("graph")),
        read_test_index(f("test.index")),
        {},
        0};
  const int64_t F = r.allx.cols, C = r.ally.size(1), nA = r.allx.rows, nT = r.tx.rows;
  for (const auto& [part, m] : {std::pair<const char*, const io::CsrMatrix*>{"x", &r.x}, {"tx", &r.tx}})
    NABLA_CHECK(m->cols == F, IOError, "{}: {} features per node, but {} has {}", f(part), m->cols, f("allx"),
                F);
  for (const auto& [part, t] : {std::pair<const char*, const Tensor*>{"y", &r.y}, {"ty", &r.ty}})
    NABLA_CHECK(t->size(1) == C, IOError, "{}: {} classes, but {} has {}", f(part), t->size(1), f("ally"), C);
  const auto same_rows = [&](const char* a, int64_t ra, const char* b, int64_t rb) {
    NABLA_CHECK(ra == rb, IOError, "{} has {} rows but {} has {}: they describe the same nodes", f(a), ra,
                f(b), rb);
  };
  same_rows("x", r.x.rows, "y", r.y.size(0));
  same_rows("allx", nA, "ally", r.ally.size(0));
  same_rows("tx", nT, "ty", r.ty.size(0));
  same_rows("tx", nT, "test.index", static_cast<int64_t>(r.test_index.size()));
  r.sorted_test = r.test_index;
  std::sort(r.sorted_test.begin(), r.sorted_test.end());
  const auto dup = std::adjacent_find(r.sorted_test.begin(), r.sorted_test.end());
  NABLA_CHECK(dup == r.sorted_test.end(), IOError, "{}: node {} is listed twice", f("test.index"), *dup);
  // PyG's layout: allx's nodes, then one row per id from the smallest test id to the largest.
  const int64_t lo = r.sorted_test.front(), hi = r.sorted_test.back();
  NABLA_CHECK(lo <= nA, IOError, "{}: the test ids start at {}, after allx's {} nodes", f("test.index"), lo,
              nA);
  // At most one node per row of allx and tx or per node of the graph file (CiteSeer: its isolated nodes).
  const int64_t most = std::max(nA + nT, static_cast<int64_t>(r.graph.size()));
  NABLA_CHECK(hi - lo < most - nA, IOError,
              "{}: the test ids span {} to {}: more nodes than allx, tx and the graph describe ({})",
              f("test.index"), lo, hi, most);
  r.num_nodes = nA + (hi - lo + 1);
  NABLA_CHECK(F == 0 || r.num_nodes <= kMaxFeatureValues / F, IOError,
              "{}: {} nodes x {} features is more than nabla makes dense ({} values)", f("allx"), r.num_nodes,
              F, kMaxFeatureValues);
  NABLA_CHECK(r.y.size(0) <= r.num_nodes, IOError, "{}: {} training nodes, more than the graph's {}", f("y"),
              r.y.size(0), r.num_nodes);
  return r;
}

// Node i's row comes from row source[i] of cat(allx, tx_ext), where tx_ext[sorted[k] - lo] = tx[k] and
// the other rows of tx_ext are zeros; source is the identity except source[test_index[k]] = sorted[k]
// (PyG: x[test_index] = x[sorted_test_index]).
struct RowSource {
  bool from_tx;
  int64_t row;  // -1: a zero row
};
std::vector<RowSource> row_sources(const Raw& r) {
  const int64_t nA = r.allx.rows, lo = r.sorted_test.front();
  std::vector<int64_t> ext(static_cast<size_t>(r.num_nodes - nA), -1),
      source(static_cast<size_t>(r.num_nodes));
  for (size_t k = 0; k < r.sorted_test.size(); ++k)
    ext[static_cast<size_t>(r.sorted_test[k] - lo)] = int64_t(k);
  for (size_t i = 0; i < source.size(); ++i) source[i] = static_cast<int64_t>(i);
  for (size_t k = 0; k < r.test_index.size(); ++k)
    source[static_cast<size_t>(r.test_index[k])] = r.sorted_test[k];
  std::vector<RowSource> out(source.size());
  for (size_t i = 0; i < source.size(); ++i)
    out[i] = source[i] < nA ? RowSource{false, source[i]}
                            : RowSource{true, ext[static_cast<size_t>(source[i] - nA)]};
  return out;
}

Tensor features(const Raw& r, const std::vector<RowSource>& sources) {
  const int64_t F = r.allx.cols;
  Tensor x = zeros({r.num_nodes, F});
  float* out = x.data_ptr<float>();
  const Tensor allx_values = r.allx.data.to(kFloat32).contiguous(),
               tx_values = r.tx.data.to(kFloat32).contiguous();
  for (size_t i = 0; i < sources.size(); ++i) {
    const RowSource s = sources[i];
    if (s.row >= 0)
      add_row(s.from_tx ? r.tx : r.allx, s.from_tx ? tx_values : allx_values, s.row, out + int64_t(i) * F);
  }
  return x;
}

Tensor labels(const Raw& r, const std::vector<RowSource>& sources) {
  const int64_t C = r.ally.size(1);
  std::vector<int64_t> y(sources.size(), 0);
  for (size_t i = 0; i < sources.size(); ++i) {
    const RowSource s = sources[i];
    if (s.row < 0) continue;  // an all-zero row: argmax 0
    const double* row = (s.from_tx ? r.ty : r.ally).data_ptr<double>() + s.row * C;
    y[i] = std::max_element(row, row + C) - row;  // the first largest, like torch.max(dim)
  }
  return from_buffer(y.data(), {static_cast<int64_t>(y.size())}, kInt64);
}

// The graph's edges without self loops and repeats, sorted by (target, source).
Tensor edges(const Raw& r, const std::string& path) {
  const int64_t n = r.num_nodes;
  std::vector<int64_t> keys;
  for (const auto& [node, neighbours] : r.graph)
    for (int64_t m : neighbours) {
      NABLA_CHECK(node >= 0 && m >= 0 && node < n && m < n, IOError,
                  "{}: the edge {} -> {} names a node outside the graph's {} nodes", path, node, m, n);
      if (node != m) keys.push_back(m * n + node);
    }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  const auto e = static_cast<int64_t>(keys.size());
  std::vector<int64_t> index(static_cast<size_t>(2 * e));
  for (int64_t k = 0; k < e; ++k) {
    index[static_cast<size_t>(k)] = keys[static_cast<size_t>(k)] % n;
    index[static_cast<size_t>(e + k)] = keys[static_cast<size_t>(k)] / n;
  }
  return from_buffer(index.data(), {2, e}, kInt64);
}

Tensor mask(int64_t n, int64_t begin, int64_t end) {
  Tensor m = zeros({n}, {.dtype = kBool});
  if (end > begin) m.narrow(0, begin, end - begin).fill_(true);
  return m;
}

}  // namespace

PlanetoidGraph load_planetoid(const std::string& root, const std::string& name) {
  const Files files = locate(root, name);
  const Raw r = read_files(files);
  const std::vector<RowSource> sources = row_sources(r);
  PlanetoidGraph g;
  g.x = features(r, sources);
  g.y = labels(r, sources);
  g.edge_index = edges(r, files("graph"));
  const int64_t n = r.num_nodes, n_train = r.y.size(0);
  g.train_mask = mask(n, 0, n_train);
  g.val_mask = mask(n, n_train, std::min(n_train + kValNodes, n));
  std::vector<uint8_t> test(static_cast<size_t>(n), 0);
  for (int64_t i : r.test_index) test[static_cast<size_t>(i)] = 1;
  g.test_mask = from_buffer(test.data(), {n}, kBool);
  g.num_classes = r.ally.size(1);
  return g;
}

}  // namespace nabla::data
