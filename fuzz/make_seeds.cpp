// make_seeds — writes a small valid seed corpus per fuzz target: make_seeds <out_dir>
// (out_dir/{idx,cifar,image,tar,safetensors,run_state,pickle,pt}/...).
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/formats.h"
#include "io/pickle.h"
#include "io/safetensors_format.h"
#include "train/run_metadata.h"

namespace {
using nabla::io::detail::Bytes;
namespace fs = std::filesystem;

void put(const fs::path& path, const Bytes& b) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

Bytes idx(uint8_t type, std::vector<uint32_t> dims, size_t elem) {
  Bytes b = {0, 0, type, static_cast<uint8_t>(dims.size())};
  size_t n = 1;
  for (uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
    n *= d;
  }
  for (size_t i = 0; i < n * elem; ++i) b.push_back(static_cast<uint8_t>(i * 7));
  return b;
}

void append(void* ctx, void* data, int size) {
  auto* out = static_cast<Bytes*>(ctx);
  out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
}

Bytes tar_with(const std::string& name, const Bytes& content) {
  Bytes t(512, 0);
  std::copy(name.begin(), name.end(), t.begin());
  char oct[12];
  snprintf(oct, sizeof oct, "%011o", static_cast<unsigned>(content.size()));
  std::copy(oct, oct + 11, t.begin() + 124);
  t[156] = '0';
  std::copy_n("ustar", 5, t.begin() + 257);
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : t[i];
  char chk[8];
  snprintf(chk, sizeof chk, "%06o", sum);
  std::copy(chk, chk + 7, t.begin() + 148);
  t.insert(t.end(), content.begin(), content.end());
  t.resize(t.size() + (512 - content.size() % 512) % 512 + 1024, 0);
  return t;
}
}  // namespace

int main(int argc, char** argv) {
  fs::path out = argc > 1 ? argv[1] : "seeds";
  put(out / "idx/u8", idx(0x08, {3, 4, 4}, 1));
  put(out / "idx/i32", idx(0x0C, {5}, 4));
  put(out / "idx/f64", idx(0x0E, {2, 2}, 8));
  put(out / "idx/gz", nabla::io::detail::gzip_compress(idx(0x08, {2, 28, 28}, 1)));
  Bytes cifar;
  for (int r = 0; r < 2; ++r) {
    cifar.push_back(static_cast<uint8_t>(r + 3));
    for (size_t i = 0; i < nabla::io::detail::kCifarImageBytes; ++i)
      cifar.push_back(static_cast<uint8_t>(i + r));
  }
  put(out / "cifar/two_records", cifar);
  std::vector<uint8_t> px(8 * 6 * 4);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>(i * 5);
  for (int c : {1, 3, 4}) {
    Bytes png, jpg, bmp;
    stbi_write_png_to_func(append, &png, 6, 8, c, px.data(), 6 * c);
    stbi_write_jpg_to_func(append, &jpg, 6, 8, c == 4 ? 3 : c, px.data(), 80);
    stbi_write_bmp_to_func(append, &bmp, 6, 8, c, px.data());
    put(out / ("image/c" + std::to_string(c) + ".png"), png);
    put(out / ("image/c" + std::to_string(c) + ".jpg"), jpg);
    put(out / ("image/c" + std::to_string(c) + ".bmp"), bmp);
  }
  put(out / "tar/one", tar_with("cifar-10-batches-bin/test_batch.bin", cifar));
  // safetensors: a checkpoint-like header (metadata, two tensors) and its data buffer.
  {
    using nabla::io::detail::SafetensorsEntry;
    std::vector<SafetensorsEntry> entries = {{"a", nabla::DType::Float32, {2, 3}, 0, 24},
                                             {"b", nabla::DType::Int64, {}, 24, 32}};
    std::string json = nabla::io::detail::pad_safetensors_header(nabla::io::detail::safetensors_header_json(
        entries, {{"nabla.checksum", "crc32c:01234567"}, {"nabla.epoch", "1"}}, "seed"));
    Bytes file(8 + json.size() + 32, 7);
    for (int i = 0; i < 8; ++i) file[i] = static_cast<uint8_t>(json.size() >> (8 * i));
    std::copy(json.begin(), json.end(), file.begin() + 8);
    put(out / "safetensors/checkpoint", file);
  }
  // run_state: the metadata and tensor shapes of a small mlp run with its Adam state.
  {
    nabla::training::RunConfig cfg;
    cfg.model = {"mlp", 1, 2, 2, 3, 1};
    cfg.classes = {"a", "b", "c"};
    nlohmann::json j;
    nlohmann::json optim = nlohmann::json::array();
    const auto shapes = nabla::training::model_state_shapes(cfg.model);
    for (const auto* list : {&shapes.parameters, &shapes.buffers})
      for (const auto& [name, shape] : *list) j[name] = shape;
    for (size_t i = 0; i < shapes.parameters.size(); ++i)
      for (const char* s : {"exp_avg", "exp_avg_sq", "step"}) {
        const std::string key = "state." + std::to_string(i) + "." + s;
        optim.push_back(key);
        j["_optim." + key] = std::string(s) == "step" ? std::vector<int64_t>{} : shapes.parameters[i].second;
      }
    j["__metadata__"] = {{"nabla.run", cfg.to_json()},
                         {"nabla.epoch", "1"},
                         {"nabla.global_step", "3"},
                         {"nabla.history", R"([{"epoch":1,"train_loss":0.5,"val_loss":"NaN"}])"},
                         {"nabla.optimizer", R"({"optimizer":"Adam","param_groups":[]})"},
                         {"nabla.optimizer_tensors", optim.dump()},
                         {"nabla.scheduler", ""},
                         {"nabla.callbacks", R"({"wait":0,"stopped_epoch":0})"},
                         {"nabla.rng", R"(["1","2","3","4","5","6"])"}};
    const std::string text = j.dump();
    put(out / "run_state/mlp", Bytes(text.begin(), text.end()));
  }
  // pickle: an OrderedDict of two tensors viewing one storage, as torch.save writes it; pt: the fixtures.
  {
    nabla::io::detail::PickleWriter w;
    w.global("collections", "OrderedDict");
    w.tuple(0);
    w.reduce();
    w.mark();
    for (int offset : {0, 2}) {
      w.string(offset == 0 ? "weight" : "bias");
      w.global("torch._utils", "_rebuild_tensor_v2");
      w.mark();
      w.mark();
      w.string("storage");
      w.global("torch", "FloatStorage");
      w.string("0");
      w.string("cpu");
      w.integer(6);
      w.tuple(5);
      w.persistent_id();
      w.integer(offset);
      w.integer(2);
      w.tuple(1);
      w.integer(1);
      w.tuple(1);
      w.boolean(false);
      w.global("collections", "OrderedDict");
      w.tuple(0);
      w.reduce();
      w.tuple(6);
      w.reduce();
    }
    w.setitems();
    const std::string pickle = w.finish();
    put(out / "pickle/state_dict", Bytes(pickle.begin(), pickle.end()));
    fs::create_directories(out / "pt");
    for (const auto& entry : fs::directory_iterator(fs::path(NABLA_SOURCE_DIR) / "tests/golden/pt"))
      if (entry.path().extension() == ".pt")
        fs::copy_file(entry.path(), out / "pt" / entry.path().filename(),
                      fs::copy_options::overwrite_existing);
  }
  return 0;
}
