// data/: the Planetoid loader (data::load_planetoid) on the fabricated set of tests/golden/planetoid/
// ("tiny", 30 nodes, written in the real files' format by gen_planetoid_fixture.py), against what PyTorch
// Geometric's read_planetoid_data builds from the same files (expected.json); missing, truncated,
// hostile and inconsistent files.
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <filesystem>
#include <fstream>

#include "data/test_util.h"
#include "golden/golden_json.h"

using namespace nabla;
using nabla::testing::expect_error;
using nabla::testing::TempDir;

namespace {
const std::string kDir = NABLA_SOURCE_DIR "/tests/golden/planetoid";
const std::vector<std::string> kParts = {"x", "tx", "allx", "y", "ty", "ally", "graph", "test.index"};

template <typename T>
std::vector<T> values(const Tensor& t) {
  Tensor c = t.contiguous();
  const T* p = c.data_ptr<T>();
  return {p, p + c.numel()};
}

// The fixture's eight files copied into a scratch directory, for breaking one of them.
void copy_fixture(const TempDir& dir) {
  for (const auto& part : kParts)
    std::filesystem::copy_file(kDir + "/ind.tiny." + part, dir / ("ind.tiny." + part));
}
void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
}  // namespace

TEST(Planetoid, MatchesPyTorchGeometric) {
  const auto expected = golden_io::load_json("planetoid/expected.json")["tiny"];
  data::PlanetoidGraph g = data::load_planetoid(kDir, "tiny");
  const int64_t n = expected["num_nodes"];
  EXPECT_EQ(g.num_nodes(), n);
  EXPECT_EQ(g.num_features(), expected["num_features"].get<int64_t>());
  EXPECT_EQ(g.num_classes, expected["num_classes"].get<int64_t>());
  EXPECT_EQ(g.x.dtype(), kFloat32);
  EXPECT_EQ(g.x.sizes().vec(), (std::vector<int64_t>{n, 8}));
  EXPECT_EQ(values<float>(g.x), expected["x"].get<std::vector<float>>());
  EXPECT_EQ(g.y.dtype(), kInt64);
  EXPECT_EQ(values<int64_t>(g.y), expected["y"].get<std::vector<int64_t>>());
  const auto edges = expected["edge_index"].get<std::vector<std::vector<int64_t>>>();
  ASSERT_EQ(g.edge_index.sizes().vec(), (std::vector<int64_t>{2, static_cast<int64_t>(edges[0].size())}));
  EXPECT_EQ(values<int64_t>(g.edge_index[0]), edges[0]);
  EXPECT_EQ(values<int64_t>(g.edge_index[1]), edges[1]);
  for (const char* m : {"train_mask", "val_mask", "test_mask"}) {
    SCOPED_TRACE(m);
    const Tensor& mask = m[0] == 't' ? (m[1] == 'r' ? g.train_mask : g.test_mask) : g.val_mask;
    EXPECT_EQ(mask.dtype(), kBool);
    std::vector<bool> got;
    for (uint8_t b : values<uint8_t>(mask.to(kUInt8))) got.push_back(b != 0);
    EXPECT_EQ(got, expected[m].get<std::vector<bool>>());
  }
}

TEST(Planetoid, TheStandardSplit) {
  data::PlanetoidGraph g = data::load_planetoid(kDir, "tiny");
  EXPECT_EQ(g.train_mask.sum().item<int64_t>(), 6);              // len(ind.tiny.y)
  EXPECT_TRUE(g.train_mask.narrow(0, 0, 6).all().item<bool>());  // the first nodes
  EXPECT_EQ(g.val_mask.sum().item<int64_t>(), 24);               // 500 after them, cut at the last node
  EXPECT_EQ(g.test_mask.sum().item<int64_t>(), 10);              // test.index
  // 22 and 25 are the gaps in the test ids (CiteSeer's isolated nodes): zero rows, class 0, no edges.
  for (int64_t i : {22, 25}) {
    EXPECT_FALSE(g.test_mask[i].item<bool>());
    EXPECT_EQ(g.x[i].abs().sum().item<float>(), 0.f);
    EXPECT_EQ(g.y[i].item<int64_t>(), 0);
    EXPECT_EQ(g.edge_index.eq(i).sum().item<int64_t>(), 0);
  }
  // Every edge is there both ways, with no self loops.
  sparse::CooTensor a = nn::adjacency_from_edges(g.edge_index, g.num_nodes(), /*symmetric=*/false);
  Tensor dense = a.to_dense();
  EXPECT_TRUE(dense.equal(dense.t()));
  EXPECT_EQ(dense.diagonal().sum().item<float>(), 0.f);
  EXPECT_EQ(a.nnz(), g.edge_index.size(1));
}

TEST(Planetoid, NamesInAnyCaseAndPyGsFolders) {
  TempDir dir;
  std::filesystem::create_directories(dir / "Tiny/raw");
  for (const auto& part : kParts)
    std::filesystem::copy_file(kDir + "/ind.tiny." + part, dir / ("Tiny/raw/ind.tiny." + part));
  data::PlanetoidGraph g = data::load_planetoid(dir.str(), "Tiny");  // root/<name>/raw/, as PyG keeps them
  EXPECT_TRUE(g.y.equal(data::load_planetoid(kDir, "TINY").y));
}

TEST(Planetoid, MissingFileSaysWhereTheFilesComeFrom) {
  TempDir dir;
  copy_fixture(dir);
  std::filesystem::remove(dir / "ind.tiny.ty");
  expect_error<IOError>([&] { data::load_planetoid(dir.str(), "tiny"); },
                        {dir / "ind.tiny.ty", "no such file", "github.com/kimiyoung/planetoid"});
  expect_error<IOError>([&] { data::load_planetoid(dir.str(), "cora"); },
                        {dir / "ind.cora.x", "no such file"});
}

TEST(Planetoid, TruncatedFileIsNamed) {
  for (const std::string part : {"allx", "ty", "graph"}) {
    TempDir dir;
    copy_fixture(dir);
    const std::string path = dir / ("ind.tiny." + part);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
    expect_error<IOError>([&] { data::load_planetoid(dir.str(), "tiny"); }, {path, "truncated"});
  }
}

TEST(Planetoid, PickleWithForbiddenGlobalIsRejected) {
  TempDir dir;
  copy_fixture(dir);
  std::filesystem::copy_file(kDir + "/io/os_system.pkl", dir / "ind.tiny.graph",
                             std::filesystem::copy_options::overwrite_existing);
  expect_error<IOError>([&] { data::load_planetoid(dir.str(), "tiny"); },
                        {dir / "ind.tiny.graph", "global 'os.system' is not allowed"});
}

TEST(Planetoid, FilesThatDoNotFitTogether) {
  const auto broken = [](const std::function<void(const TempDir&)>& change,
                         const std::vector<std::string>& needles) {
    TempDir dir;
    copy_fixture(dir);
    change(dir);
    expect_error<IOError>([&] { data::load_planetoid(dir.str(), "tiny"); }, needles);
  };
  const auto swap_in = [](const std::string& from, const std::string& to) {
    return [=](const TempDir& dir) {
      std::filesystem::copy_file(kDir + "/ind.tiny." + from, dir / ("ind.tiny." + to),
                                 std::filesystem::copy_options::overwrite_existing);
    };
  };
  broken(swap_in("ally", "ty"), {"ind.tiny.tx has 10 rows but", "ind.tiny.ty has 18"});
  broken(swap_in("graph", "allx"), {"ind.tiny.allx", "a dict, expected a scipy.sparse.csr_matrix"});
  broken(
      [](const TempDir& d) {
        write_text(d / "ind.tiny.test.index", "18\n19\n20\n21\n23\n24\n26\n27\n28\nx9\n");
      },
      {"ind.tiny.test.index", "line 10: 'x9' is not a node id"});
  broken(
      [](const TempDir& d) {
        write_text(d / "ind.tiny.test.index", "18\n19\n20\n21\n23\n24\n26\n27\n28\n18\n");
      },
      {"ind.tiny.test.index", "node 18 is listed twice"});
  broken(
      [](const TempDir& d) {
        write_text(d / "ind.tiny.test.index", "18\n19\n20\n21\n23\n24\n26\n27\n28\n9999999\n");
      },
      {"ind.tiny.test.index", "the test ids span 18 to 9999999"});
  broken([](const TempDir& d) { write_text(d / "ind.tiny.test.index", "\n"); },
         {"ind.tiny.test.index", "no test node ids"});
}
