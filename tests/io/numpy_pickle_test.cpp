// io/: numpy arrays, scipy CSR matrices and dicts of int lists from pickles (numpy_pickle.h), on the files
// of tests/golden/planetoid/ (written by gen_planetoid_fixture.py the way Python 2 pickled the Planetoid
// data sets, plus Python 3 pickles and hostile or broken ones).
#include <gtest/gtest.h>
#include <nabla/nabla.h>

#include <filesystem>

#include "data/test_util.h"
#include "golden/golden_json.h"

using namespace nabla;
using nabla::testing::expect_error;

namespace {
const std::string kDir = NABLA_SOURCE_DIR "/tests/golden/planetoid/";

std::vector<double> values(const Tensor& t) {
  Tensor d = t.to(kFloat64).contiguous();
  const double* p = d.data_ptr<double>();
  return {p, p + d.numel()};
}

Tensor dense(const io::CsrMatrix& m) {
  Tensor out = zeros({m.rows, m.cols}, {.dtype = kFloat64});
  const std::vector<double> v = values(m.data);
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t k = m.indptr[r].item<int64_t>(); k < m.indptr[r + 1].item<int64_t>(); ++k)
      out[r][m.indices[k].item<int64_t>()].fill_(v[static_cast<size_t>(k)]);
  return out;
}
}  // namespace

TEST(NumpyPickle, ArraysOfEveryDtypeAndOrder) {
  const auto expected = golden_io::load_json("planetoid/expected.json")["io"];
  const std::vector<std::pair<std::string, DType>> cases = {
      {"f8_fortran", kFloat64}, {"i2_big_endian", kInt32}, {"b1", kBool},       {"u8", kInt64},
      {"f2", kFloat16},         {"u1_3d", kUInt8},         {"i8_empty", kInt64}};
  for (const auto& [name, dtype] : cases) {
    SCOPED_TRACE(name);
    Tensor t = io::load_pickled_ndarray(kDir + "io/" + name + ".pkl");
    EXPECT_EQ(t.dtype(), dtype);
    EXPECT_EQ(t.sizes().vec(), expected[name]["shape"].get<std::vector<int64_t>>());
    EXPECT_EQ(values(t), expected[name]["data"].get<std::vector<double>>());
  }
}

TEST(NumpyPickle, PlanetoidFilesAsPython2PickledThem) {
  Tensor ally = io::load_pickled_ndarray(kDir + "ind.tiny.ally");
  EXPECT_EQ(ally.dtype(), kInt32);
  EXPECT_EQ(ally.sizes().vec(), (std::vector<int64_t>{18, 3}));
  EXPECT_EQ(ally.sum().item<int64_t>(), 18);  // one-hot rows
  io::CsrMatrix allx = io::load_pickled_csr_matrix(kDir + "ind.tiny.allx");
  EXPECT_EQ(allx.rows, 18);
  EXPECT_EQ(allx.cols, 8);
  EXPECT_EQ(allx.data.dtype(), kFloat32);
  EXPECT_EQ(allx.indptr.size(0), 19);
  EXPECT_EQ(allx.nnz(), allx.indptr[18].item<int64_t>());
  // Its rows are the first 18 rows of the features PyG builds (none of them a test node).
  const auto x = golden_io::load_json("planetoid/expected.json")["tiny"]["x"].get<std::vector<double>>();
  EXPECT_EQ(values(dense(allx)), std::vector<double>(x.begin(), x.begin() + 18 * 8));
  io::DictOfLists graph = io::load_pickled_dict_of_lists(kDir + "ind.tiny.graph");
  EXPECT_EQ(graph.size(), 30u);
  EXPECT_EQ(graph[0].first, 0);
}

TEST(NumpyPickle, Python3Pickles) {
  io::CsrMatrix m = io::load_pickled_csr_matrix(kDir + "io/py3_csr.pkl");  // protocol 4, scipy.sparse._csr
  const auto expected = golden_io::load_json("planetoid/expected.json")["io"]["py3_csr"];
  EXPECT_EQ(m.data.dtype(), kFloat64);
  EXPECT_EQ(values(dense(m)), expected["data"].get<std::vector<double>>());
  io::DictOfLists d = io::load_pickled_dict_of_lists(kDir + "io/py3_dict_of_lists.pkl");
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0], (std::pair<int64_t, std::vector<int64_t>>{0, {1, 2}}));
  EXPECT_EQ(d[1], (std::pair<int64_t, std::vector<int64_t>>{5, {}}));
  EXPECT_EQ(d[2], (std::pair<int64_t, std::vector<int64_t>>{2, {0}}));
}

TEST(NumpyPickle, ForbiddenGlobalsAreRefusedBeforeAnythingRuns) {
  const std::string evil = kDir + "io/os_system.pkl";  // os.system('echo hacked')
  for (const auto& load : std::vector<std::function<void()>>{[&] { io::load_pickled_ndarray(evil); },
                                                             [&] { io::load_pickled_csr_matrix(evil); },
                                                             [&] { io::load_pickled_dict_of_lists(evil); }})
    expect_error<IOError>(load, {"os_system.pkl", "byte 2", "global 'os.system' is not allowed"});
  expect_error<IOError>([&] { io::load_pickled_csr_matrix(kDir + "io/csc_matrix.pkl"); },
                        {"csc_matrix.pkl", "'scipy.sparse.csc.csc_matrix' is not allowed"});
  // torch's allow-list is not the numpy one, and the other way round.
  expect_error<IOError>([&] { io::load_pt(kDir + "ind.tiny.y"); }, "ind.tiny.y");
}

TEST(NumpyPickle, BrokenFilesNameTheFileAndTheProblem) {
  expect_error<IOError>([&] { io::load_pickled_ndarray(kDir + "io/object_array.pkl"); },
                        {"object_array.pkl", "numpy dtype 'O8' is not supported"});
  expect_error<IOError>(
      [&] { io::load_pickled_ndarray(kDir + "io/short_data.pkl"); },
      {"short_data.pkl", "shape (6) and dtype <i4 needs 24 bytes of data, the pickle holds 20"});
  expect_error<IOError>([&] { io::load_pickled_csr_matrix(kDir + "io/csr_bad_column.pkl"); },
                        {"csr_bad_column.pkl", "column index 3 (non-zero 2) is outside [0, 3)"});
  expect_error<IOError>([&] { io::load_pickled_csr_matrix(kDir + "ind.tiny.y"); },
                        {"ind.tiny.y", "a numpy.ndarray, expected a scipy.sparse.csr_matrix"});
  expect_error<IOError>([&] { io::load_pickled_ndarray(kDir + "ind.tiny.graph"); },
                        {"ind.tiny.graph", "a dict, expected a numpy.ndarray"});
  expect_error<IOError>([&] { io::load_pickled_ndarray(kDir + "io/no-such-file.pkl"); },
                        {"no-such-file.pkl", "cannot open"});
}

// Every prefix of a real-format file is an IOError naming it (never a crash or another error), and so is
// every single byte changed to 0xff, unless the file still makes sense.
TEST(NumpyPickle, TruncatedAndCorruptedFiles) {
  nabla::testing::TempDir dir;
  int variant = 0;
  for (const std::string name : {"ind.tiny.allx", "ind.tiny.ally", "ind.tiny.graph"}) {
    const std::vector<uint8_t> bytes = nabla::testing::read_bytes(kDir + name);
    // Each variant gets a new file: rewriting one in place costs a flush on ext4 (auto_da_alloc).
    const auto load = [&](const std::vector<uint8_t>& content) {
      const std::string path = dir / (name + "." + std::to_string(variant++));
      nabla::testing::write_bytes(path, content);
      try {
        if (name == "ind.tiny.allx") io::load_pickled_csr_matrix(path);
        if (name == "ind.tiny.ally") io::load_pickled_ndarray(path);
        if (name == "ind.tiny.graph") io::load_pickled_dict_of_lists(path);
      } catch (const IOError& e) {
        std::filesystem::remove(path);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        return false;
      }
      std::filesystem::remove(path);
      return true;
    };
    for (size_t n = 0; n < bytes.size(); ++n)
      EXPECT_FALSE(load({bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n)}))
          << name << " cut at " << n;
    for (size_t k = 0; k < bytes.size(); ++k) {
      std::vector<uint8_t> flipped = bytes;
      flipped[k] = 0xff;
      load(flipped);
    }
  }
}
