// make_corpus — writes the bad-input corpus under tests/corpus/ that tests/tool/corpus_test.cpp replays
// (every file must be refused with a typed nabla error, never a crash). Each checkpoint mutant carries a
// valid checksum, so only the metadata validation can refuse it. Regenerate with
//   cmake --build build --target nabla_make_corpus && build/tests/nabla_make_corpus tests/corpus
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "nabla/nabla.h"
#include "nabla/train/run_state.h"

using namespace nabla;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {
fs::path out;

void put(const std::string& rel, const std::vector<uint8_t>& bytes) {
  fs::create_directories((out / rel).parent_path());
  std::ofstream(out / rel, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A small mlp run after one Adam step: the valid base every mutant starts from.
void write_base(const std::string& path) {
  training::RunConfig cfg;
  cfg.model = {"mlp", 1, 2, 2, 3, 1};
  cfg.classes = {"a", "b", "c"};
  manual_seed(1);
  auto model = training::build_model(cfg.model);
  optim::Adam adam(model->parameters(), {.lr = 0.01});
  Tensor loss = F::cross_entropy((*model)(randn({4, 1, 2, 2})), tensor({0, 1, 2, 0}));
  loss.backward();
  adam.step();
  training::TrainingState ts{1,
                             1,
                             {{{"epoch", 1}, {"train_loss", loss.item<double>()}}},
                             adam.state_dict(),
                             "",
                             "",
                             default_generator().state()};
  training::save_run(path, cfg, *model, &ts);
}

using Mutation = std::function<void(io::Metadata&, io::NamedTensors&)>;

void mutant(const io::SafetensorsFile& base, const std::string& name, const Mutation& fn,
            const std::string& folder = "checkpoint") {
  io::Metadata meta = base.metadata;
  io::NamedTensors tensors = base.tensors;
  fn(meta, tensors);
  const fs::path p = out / folder / (name + ".safetensors");
  fs::create_directories(p.parent_path());
  io::save_checkpoint(p.string(), tensors, meta);
}

// Edits the run config JSON ("model" fields through model_field).
Mutation run_field(const std::string& key, Json value) {
  return [key, value](io::Metadata& m, io::NamedTensors&) {
    Json j = Json::parse(m["nabla.run"]);
    j[key] = value;
    m["nabla.run"] = j.dump();
  };
}
Mutation model_field(const std::string& key, Json value) {
  return [key, value](io::Metadata& m, io::NamedTensors&) {
    Json j = Json::parse(m["nabla.run"]);
    j["model"][key] = value;
    m["nabla.run"] = j.dump();
  };
}
Mutation meta_value(const std::string& key, const std::string& value) {
  return [key, value](io::Metadata& m, io::NamedTensors&) { m[key] = value; };
}
Mutation drop_tensor(const std::string& name) {
  return [name](io::Metadata&, io::NamedTensors& t) {
    std::erase_if(t, [&](auto& kv) { return kv.first == name; });
  };
}
Mutation replace_tensor(const std::string& name, Tensor value) {
  return [name, value](io::Metadata&, io::NamedTensors& t) {
    for (auto& [k, v] : t)
      if (k == name) v = value;
  };
}
Mutation retype_tensor(const std::string& name, DType dtype) {
  return [name, dtype](io::Metadata&, io::NamedTensors& t) {
    for (auto& [k, v] : t)
      if (k == name) v = v.to(dtype);
  };
}
Mutation fill_tensor(const std::string& name, double value) {
  return [name, value](io::Metadata&, io::NamedTensors& t) {
    for (auto& [k, v] : t)
      if (k == name) v = full_like(v, value);
  };
}
// Edits the optimizer state JSON's first parameter group.
Mutation optimizer_group_field(const std::string& key, Json value) {
  return [key, value](io::Metadata& m, io::NamedTensors&) {
    Json j = Json::parse(m["nabla.optimizer"]);
    j["param_groups"][0][key] = value;
    m["nabla.optimizer"] = j.dump();
  };
}
Mutation both(Mutation a, Mutation b) {
  return [a, b](io::Metadata& m, io::NamedTensors& t) {
    a(m, t);
    b(m, t);
  };
}

// Checkpoints load_run accepts but `train --resume` must refuse (the optimizer, scheduler or callback
// state is wrong), and one whose weights are NaN, which eval/predict must refuse to use (the adversarial
// run of tools/adversarial found these accepted, or refused only after the data had loaded).
void checkpoints_beyond_load_run(const io::SafetensorsFile& base) {
  const std::string resume = "checkpoint-resume";
  mutant(base, "optimizer-step-nan", fill_tensor("_optim.state.0.step", NAN), resume);
  mutant(base, "optimizer-step-negative", fill_tensor("_optim.state.0.step", -1), resume);
  mutant(base, "optimizer-lr-negative", optimizer_group_field("lr", -0.1), resume);
  mutant(base, "optimizer-params-duplicate", optimizer_group_field("params", Json::array({0, 0, 2, 3, 4, 5})),
         resume);
  mutant(base, "scheduler-type-number",
         both(run_field("scheduler", "step"), meta_value("nabla.scheduler", R"({"type":0})")), resume);
  mutant(base, "scheduler-tmax-zero",
         both(run_field("scheduler", "cosine"),
              meta_value("nabla.scheduler", R"({"type":"CosineAnnealingLR","T_max":0,"last_epoch":1})")),
         resume);
  mutant(base, "scheduler-state-missing", run_field("scheduler", "cosine"), resume);  // base has none
  mutant(base, "callbacks-wait-negative",
         meta_value("nabla.callbacks", R"({"best":1.0,"wait":-1,"stopped_epoch":0})"), resume);
  mutant(base, "weights-nan", fill_tensor("layers.2.weight", NAN), "checkpoint-use");
  mutant(base, "weights-huge",
         both(fill_tensor("layers.1.0.weight", 3e38), fill_tensor("layers.2.weight", 3e38)),
         "checkpoint-use");  // finite weights whose outputs overflow
  io::write_png((out / "checkpoint-use" / "input.png").string(), full({2, 2, 1}, 128).to(kUInt8));
}

void checkpoints() {
  const std::string base_path = (out / "checkpoint-valid" / "base.safetensors").string();
  fs::create_directories(out / "checkpoint-valid");
  write_base(base_path);
  const io::SafetensorsFile base = io::load_checkpoint(base_path);
  mutant(base, "classes-2pow62", model_field("num_classes", int64_t{1} << 62));
  mutant(base, "layers-1e9", model_field("n_layers", 1'000'000'000));
  mutant(base, "layers-float-1e9", model_field("n_layers", 1e9));
  mutant(base, "height-1e12", model_field("height", int64_t{1'000'000'000'000}));
  mutant(base, "channels-negative", model_field("in_channels", -3));
  mutant(base, "channels-string", model_field("in_channels", "1"));
  mutant(base, "model-unknown", model_field("name", "transformer"));
  mutant(base, "format-unknown", meta_value("nabla.format", "nabla-run-0"));
  mutant(base, "model-not-object", run_field("model", "mlp"));
  mutant(base, "classes-count-mismatch", run_field("classes", Json::array({"a", "b"})));
  mutant(base, "classes-not-strings", run_field("classes", Json::array({1, 2, 3})));
  mutant(base, "mean-too-many", run_field("mean", Json::array({0.5, 0.5})));
  mutant(base, "std-zero", run_field("std", Json::array({0.0})));
  mutant(base, "lr-negative", run_field("lr", -1.0));
  mutant(base, "lr-string-nan", run_field("lr", "NaN"));
  mutant(base, "batch-size-zero", run_field("batch_size", 0));
  mutant(base, "seed-negative", run_field("seed", -1));
  mutant(base, "threads-huge", run_field("threads", 100000));
  mutant(base, "data-unknown", run_field("data", "imagenet"));
  mutant(base, "optimizer-unknown", run_field("optimizer", "lbfgs"));
  mutant(base, "run-config-missing-field", [](io::Metadata& m, io::NamedTensors&) {
    Json j = Json::parse(m["nabla.run"]);
    j.erase("epochs");
    m["nabla.run"] = j.dump();
  });
  mutant(base, "run-config-not-json", meta_value("nabla.run", "{\"model\": "));
  mutant(base, "run-config-array", meta_value("nabla.run", "[1, 2]"));
  mutant(base, "run-config-missing", [](io::Metadata& m, io::NamedTensors&) { m.erase("nabla.run"); });
  mutant(base, "epoch-negative", meta_value("nabla.epoch", "-1"));
  mutant(base, "epoch-trailing-junk", meta_value("nabla.epoch", "1abc"));
  mutant(base, "epoch-huge", meta_value("nabla.epoch", "99999999999999999999999"));
  mutant(base, "global-step-missing",
         [](io::Metadata& m, io::NamedTensors&) { m.erase("nabla.global_step"); });
  mutant(base, "history-too-short", meta_value("nabla.history", "[]"));
  mutant(base, "history-not-numbers", meta_value("nabla.history", R"([{"train_loss":"high"}])"));
  mutant(base, "history-not-json", meta_value("nabla.history", "[{"));
  mutant(base, "rng-too-short", meta_value("nabla.rng", R"(["1","2"])"));
  mutant(base, "rng-negative", meta_value("nabla.rng", R"(["-1","2","3","4","5","6"])"));
  mutant(base, "optimizer-state-not-json", meta_value("nabla.optimizer", "adam"));
  mutant(base, "scheduler-state-not-json", meta_value("nabla.scheduler", "{"));
  mutant(base, "optimizer-tensor-missing", drop_tensor("_optim.state.0.exp_avg"));
  mutant(base, "optimizer-tensor-wrong-shape", replace_tensor("_optim.state.0.exp_avg", zeros({2, 2})));
  mutant(base, "optimizer-tensor-bad-index",
         [](io::Metadata&, io::NamedTensors& t) { t.emplace_back("_optim.state.99.exp_avg", zeros({4})); });
  mutant(base, "weight-missing", drop_tensor("layers.2.weight"));
  mutant(base, "weight-wrong-shape", replace_tensor("layers.2.weight", zeros({3, 5})));
  mutant(base, "weight-dtype-int32", retype_tensor("layers.2.weight", kInt32));
  mutant(base, "global-step-int64-max", meta_value("nabla.global_step", "9223372036854775807"));
  mutant(base, "data-newline", run_field("data", "mnist\n"));
  mutant(base, "weight-unexpected",
         [](io::Metadata&, io::NamedTensors& t) { t.emplace_back("fc9.weight", zeros({1})); });
  // A run checkpoint whose checksum entry was removed: nabla's own run files must carry one.
  io::save_safetensors((out / "checkpoint" / "checksum-removed.safetensors").string(), base.tensors,
                       base.metadata);
  // Damaged bytes (the checksum's job): truncated, and one bit flipped in the data.
  std::vector<uint8_t> bytes = slurp(base_path);
  put("checkpoint/truncated.safetensors", std::vector<uint8_t>(bytes.begin(), bytes.end() - 7));
  bytes[bytes.size() - 3] ^= 0x10;
  put("checkpoint/bit-flip.safetensors", bytes);
  checkpoints_beyond_load_run(base);
}

uint32_t be32(const std::vector<uint8_t>& b, size_t p) {
  return (uint32_t{b[p]} << 24) | (uint32_t{b[p + 1]} << 16) | (uint32_t{b[p + 2]} << 8) | b[p + 3];
}
void set_be32(std::vector<uint8_t>& b, size_t p, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[p + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
// Offset of the first chunk of `type`.
size_t chunk(const std::vector<uint8_t>& b, const char* type) {
  for (size_t pos = 8; pos + 12 <= b.size(); pos += 12 + be32(b, pos))
    if (std::memcmp(&b[pos + 4], type, 4) == 0) return pos;
  throw std::runtime_error("no chunk");
}
// Recomputes the CRC of the chunk at `pos`, so that only a deeper check can catch the damage.
void fix_crc(std::vector<uint8_t>& b, size_t pos) {
  const uint32_t len = be32(b, pos);
  set_be32(b, pos + 8 + len, static_cast<uint32_t>(crc32(0, &b[pos + 4], len + 4)));
}

void images() {
  Tensor img = (rand({16, 16, 3}, {.dtype = kFloat32}) * 255).to(kUInt8);
  const std::vector<uint8_t> png = io::encode_png(img);
  const size_t ihdr = chunk(png, "IHDR"), idat = chunk(png, "IDAT");
  auto variant = [&](const std::string& name, const std::function<void(std::vector<uint8_t>&)>& fn) {
    std::vector<uint8_t> b = png;
    fn(b);
    put("png/" + name + ".png", b);
  };
  variant("idat-bit-flip", [&](auto& b) { b[idat + 8 + be32(b, idat) / 2] ^= 0x04; });
  variant("ihdr-bit-flip", [&](auto& b) { b[ihdr + 8 + 3] ^= 0x01; });
  variant("crc-bit-flip", [&](auto& b) { b[idat + 8 + be32(b, idat)] ^= 0x80; });
  variant("adler32-flip-crc-fixed", [&](auto& b) {
    b[idat + 8 + be32(b, idat) - 1] ^= 0x01;  // the zlib stream's last byte: its Adler-32
    fix_crc(b, idat);
  });
  variant("deflate-flip-crc-fixed", [&](auto& b) {
    b[idat + 8 + 10] ^= 0x20;
    fix_crc(b, idat);
  });
  variant("huge-size-crc-fixed", [&](auto& b) {
    set_be32(b, ihdr + 8, 0x7fffffff);
    set_be32(b, ihdr + 12, 0x7fffffff);
    fix_crc(b, ihdr);
  });
  variant("length-past-eof", [&](auto& b) { set_be32(b, idat, 0x7ffffff0); });
  variant("truncated", [&](auto& b) { b.resize(b.size() - 20); });
  variant("no-iend", [&](auto& b) { b.resize(b.size() - 12); });
  variant("signature-only", [&](auto& b) { b.resize(8); });

  std::vector<uint8_t> jpeg;
  io::write_jpeg((out / "tmp.jpg").string(), img);
  jpeg = slurp(out / "tmp.jpg");
  fs::remove(out / "tmp.jpg");
  put("jpeg/truncated-header.jpg", std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + 40));
  put("jpeg/soi-only.jpg", {0xff, 0xd8, 0xff});
  put("jpeg/dht-counts-past-256.jpg", [&] {
    std::vector<uint8_t> b = {0xff, 0xd8, 0xff, 0xc4, 0x00, 0x40, 0x00};
    for (int i = 0; i < 16; ++i) b.push_back(0xff);
    return b;
  }());
  put("bmp/truncated.bmp", {'B', 'M', 0x10, 0, 0, 0});
  // A complete header whose pixel rows are missing: stb decoded it as a black image.
  const fs::path bmp = out / "tmp.bmp";
  io::write_bmp(bmp.string(), img);
  std::vector<uint8_t> b = slurp(bmp);
  fs::remove(bmp);
  put("bmp/pixels-missing.bmp", std::vector<uint8_t>(b.begin(), b.begin() + 54));
  put("bmp/pixels-cut.bmp", std::vector<uint8_t>(b.begin(), b.end() - 1));
}

void idx() {
  auto header = [](uint8_t type, std::vector<uint32_t> dims) {
    std::vector<uint8_t> b = {0, 0, type, static_cast<uint8_t>(dims.size())};
    for (uint32_t d : dims)
      for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(d >> s));
    return b;
  };
  put("idx/bad-magic.idx", {1, 2, 8, 1, 0, 0, 0, 1, 7});
  put("idx/bad-type.idx", header(0x42, {1}));
  put("idx/dims-overflow.idx", header(0x0E, {0x7fffffff, 0x7fffffff, 0x7fffffff}));
  put("idx/truncated-data.idx", [&] {
    auto b = header(0x08, {10, 28, 28});
    b.resize(b.size() + 100);
    return b;
  }());
  put("idx/too-much-data.idx", [&] {
    auto b = header(0x08, {2});
    b.insert(b.end(), {1, 2, 3});
    return b;
  }());
  put("idx/rank-zero.idx", header(0x08, {}));
  const fs::path gz = out / "tmp.idx.gz";
  io::write_idx(gz.string(), tensor({1, 2, 3, 4}).to(kUInt8), /*gzip=*/true);
  std::vector<uint8_t> b = slurp(gz);
  fs::remove(gz);
  put("idx/gzip-truncated.idx.gz", std::vector<uint8_t>(b.begin(), b.end() - 6));
  b[b.size() - 6] ^= 0x01;  // the gzip trailer's CRC-32
  put("idx/gzip-crc-flip.idx.gz", b);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: nabla_make_corpus <tests/corpus>\n");
    return 2;
  }
  out = argv[1];
  for (const char* d :
       {"checkpoint", "checkpoint-valid", "checkpoint-resume", "checkpoint-use", "png", "jpeg", "bmp", "idx"})
    fs::remove_all(out / d);
  checkpoints();
  images();
  idx();
  return 0;
}
