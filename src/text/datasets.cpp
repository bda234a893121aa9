// datasets.cpp — TextFolder and IMDB: listing class folders, reading files on demand.
#include "nabla/text/datasets.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nabla/ops/ops.h"
#include "util/check.h"

namespace nabla::text {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool has_extension(const fs::path& p, const std::vector<std::string>& extensions) {
  const std::string ext = lower(p.extension().string());
  return std::any_of(extensions.begin(), extensions.end(),
                     [&](const std::string& e) { return lower(e) == ext; });
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

}  // namespace

TextFolder::TextFolder(const std::string& root, TextFolderOptions options) : options_(std::move(options)) {
  NABLA_CHECK(is_dir(root), IOError, "TextFolder: {} is not a directory", root);
  classes_ = options_.classes;
  if (classes_.empty())
    for (const auto& entry : fs::directory_iterator(root))
      if (entry.is_directory()) classes_.push_back(entry.path().filename().string());
  std::sort(classes_.begin(), classes_.end());
  NABLA_CHECK(!classes_.empty(), IOError, "TextFolder: couldn't find any class folder in {}", root);
  for (size_t c = 0; c < classes_.size(); ++c) {
    const fs::path dir = fs::path(root) / classes_[c];
    NABLA_CHECK(is_dir(dir), IOError, "TextFolder: class folder {} is missing", dir.string());
    std::vector<std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir))
      if (entry.is_regular_file() && has_extension(entry.path(), options_.extensions))
        files.push_back(entry.path().string());
    std::sort(files.begin(), files.end());
    for (auto& f : files) samples_.emplace_back(std::move(f), static_cast<int64_t>(c));
  }
  NABLA_CHECK(!samples_.empty(), IOError,
              "TextFolder: found no file with extension {} in the class folders of {}",
              fmt::join(options_.extensions, ", "), root);
}

void TextFolder::check_index(int64_t index) const {
  NABLA_CHECK(index >= 0 && index < size(), IndexError, "TextFolder: index {} out of range for size {}",
              index, size());
}

std::string TextFolder::text(int64_t index) const {
  check_index(index);
  const std::string& path = samples_[static_cast<size_t>(index)].first;
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.good(), IOError, "TextFolder: cannot open {}", path);
  std::ostringstream s;
  s << in.rdbuf();
  NABLA_CHECK(!in.bad(), IOError, "TextFolder: error reading {}", path);
  return s.str();
}

int64_t TextFolder::label(int64_t index) const {
  check_index(index);
  return samples_[static_cast<size_t>(index)].second;
}

data::Example TextFolder::get(int64_t index) const {
  check_index(index);
  NABLA_CHECK(
      static_cast<bool>(options_.transform), ValueError,
      "TextFolder: get() needs a transform from text to Tensor (e.g. a tokenizer and text::numericalize; "
      "set_transform), or read the string with text(index)");
  Tensor target = scalar_tensor(label(index), {.dtype = kInt64});
  if (options_.target_transform) target = options_.target_transform(target);
  return {options_.transform(text(index)), target};
}

Tensor TextFolder::targets() const {
  std::vector<int64_t> t;
  for (const auto& s : samples_) t.push_back(s.second);
  return from_buffer(t.data(), {static_cast<int64_t>(t.size())}, kInt64);
}

IMDB::IMDB(const std::string& root, IMDBOptions o)
    : TextFolder((fs::path(root) / "aclImdb" / (o.train ? "train" : "test")).string(),
                 {.transform = std::move(o.transform),
                  .target_transform = std::move(o.target_transform),
                  .extensions = {".txt"},
                  .classes = {"neg", "pos"}}) {}

}  // namespace nabla::text
