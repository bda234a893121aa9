// datasets.h — labelled text in folders: TextFolder (root/<class>/<file>.txt, classes in sorted order,
// like ImageFolder) and IMDB (the aclImdb layout, torchtext's IMDB). A sample's text is the file's
// contents; get() turns it into a Tensor with the `transform` (typically tokenizer + numericalize), and
// the target is the class index (int64 scalar).
//
//   text::IMDB train("data");                           // data/aclImdb/train/{neg,pos}/*.txt
//   text::Vocab v = text::build_vocab_from_iterator(tokens of train.text(i) ..., {...});
//   train.set_transform([&](const std::string& s) { return text::numericalize(v, tokenizer(s)); });
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nabla/data/dataset.h"
#include "nabla/data/transforms.h"

namespace nabla::text {

using TextTransform = std::function<Tensor(const std::string&)>;

struct TextFolderOptions {
  TextTransform transform = {};                    // text -> Tensor in get()
  data::Transform target_transform = {};           // applied to the int64 label in get()
  std::vector<std::string> extensions = {".txt"};  // matched in any case
  std::vector<std::string> classes = {};           // empty: every subfolder; else exactly these
};

class TextFolder : public data::Dataset {
 public:
  // Lists the files (subfolders of each class folder too); reads them lazily. IOError naming the
  // folder when root or a requested class folder is missing, or no file matches.
  explicit TextFolder(const std::string& root, TextFolderOptions options = {});
  int64_t size() const override { return static_cast<int64_t>(samples_.size()); }
  // {transform(text(index)), label}; ValueError without a transform (text(index) gives the string).
  data::Example get(int64_t index) const override;
  Tensor targets() const override;
  std::string text(int64_t index) const;  // the file's bytes; IOError naming the file
  int64_t label(int64_t index) const;
  const std::vector<std::string>& classes() const { return classes_; }
  const std::vector<std::pair<std::string, int64_t>>& samples() const { return samples_; }  // (path, class)
  void set_transform(TextTransform transform) { options_.transform = std::move(transform); }

 private:
  void check_index(int64_t index) const;
  TextFolderOptions options_;
  std::vector<std::string> classes_;
  std::vector<std::pair<std::string, int64_t>> samples_;
};

struct IMDBOptions {
  bool train = true;  // root/aclImdb/train, else root/aclImdb/test
  TextTransform transform = {};
  data::Transform target_transform = {};
};

// The Large Movie Review Dataset as distributed (aclImdb_v1.tar.gz unpacked under root): the reviews of
// <split>/neg and <split>/pos, labels 0 (neg) and 1 (pos); <split>/unsup and the .feat/.txt files beside
// the class folders are not samples.
class IMDB : public TextFolder {
 public:
  explicit IMDB(const std::string& root, IMDBOptions options = {});
};

}  // namespace nabla::text
