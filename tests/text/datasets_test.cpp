// datasets_test.cpp — TextFolder and IMDB on a small fabricated sample in the aclImdb layout (written to
// a temp dir here), and the whole text pipeline: tokenizer -> Vocab -> numericalize -> DataLoader with
// BucketBatchSampler and pad_collate -> pack_padded_sequence -> GRU.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "expect_error.h"
#include "nabla/nabla.h"

namespace nabla {
namespace {

using nabla::testing::expect_error;
namespace fs = std::filesystem;

class ImdbSample : public ::testing::Test {
 protected:
  // aclImdb/{train,test}/{neg,pos}/<id>_<rating>.txt, plus what the real archive has beside them:
  // train/unsup (unlabelled reviews), train/labeledBow.feat, train/urls_pos.txt, imdb.vocab.
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("nabla_imdb_" + std::to_string(::getpid()));
    const fs::path a = root_ / "aclImdb";
    put(a / "imdb.vocab", "the\nand\n");
    put(a / "train/labeledBow.feat", "0 0:1\n");
    put(a / "train/urls_pos.txt", "http://www.imdb.com/title/tt0453418/usercomments\n");
    put(a / "train/unsup/0_0.txt", "Unlabelled review.");
    put(a / "train/pos/0_9.txt", "A wonderful film. Loved it!");
    put(a / "train/pos/1_10.txt", "Great acting,<br /><br />great story.");
    put(a / "train/pos/10_8.txt", "Good.");
    put(a / "train/neg/0_2.txt", "Terrible. I hated it; a waste of time.");
    put(a / "train/neg/1_1.txt", "Bad bad BAD (really bad) film");
    put(a / "test/pos/0_10.txt", "Loved it");
    put(a / "test/neg/0_3.txt", "Hated it");
  }
  void TearDown() override { fs::remove_all(root_); }
  static void put(const fs::path& p, const std::string& s) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << s;
  }
  fs::path root_;
};

TEST_F(ImdbSample, LabelsAreSortedFolderNames) {
  text::IMDB train(root_.string());
  EXPECT_EQ(train.classes(), (std::vector<std::string>{"neg", "pos"}));
  ASSERT_EQ(train.size(), 5);  // unsup and the files beside the class folders are not samples
  EXPECT_EQ(train.targets().to_vector(), (std::vector<double>{0, 0, 1, 1, 1}));
  EXPECT_EQ(train.text(0), "Terrible. I hated it; a waste of time.");  // neg/0_2.txt
  EXPECT_EQ(train.text(3), "Good.");  // pos/10_8.txt sorts before pos/1_10.txt (by name, as ImageFolder)
  EXPECT_EQ(train.label(4), 1);
  text::IMDB test(root_.string(), {.train = false});
  EXPECT_EQ(test.size(), 2);
  EXPECT_EQ(test.text(1), "Loved it");
  // The generic folder takes every class folder: unsup is a class there.
  text::TextFolder all((root_ / "aclImdb/train").string());
  EXPECT_EQ(all.classes(), (std::vector<std::string>{"neg", "pos", "unsup"}));
  EXPECT_EQ(all.size(), 6);
}

TEST_F(ImdbSample, GetNeedsATransform) {
  text::IMDB train(root_.string());
  expect_error<ValueError>([&] { train.get(0); }, {"TextFolder", "transform", "text(index)"});
  expect_error<IndexError>([&] { train.text(5); }, {"index 5", "size 5"});
  train.set_transform([](const std::string& s) { return full({1}, static_cast<int64_t>(s.size())); });
  data::Example e = train.get(2);
  EXPECT_EQ(e.data.item<int64_t>(), 27);
  EXPECT_EQ(e.target.item<int64_t>(), 1);
  EXPECT_EQ(e.target.dtype(), kInt64);
}

TEST_F(ImdbSample, MissingFoldersAreNamed) {
  expect_error<IOError>([&] { text::IMDB((root_ / "nowhere").string()); }, {"nowhere", "not a directory"});
  fs::remove_all(root_ / "aclImdb/test/pos");
  expect_error<IOError>([&] { text::IMDB(root_.string(), {.train = false}); }, {"class folder", "test/pos"});
  expect_error<IOError>(
      [&] { text::TextFolder((root_ / "aclImdb/train").string(), {.extensions = {".md"}}); },
      {"no file", ".md"});
}

// The pipeline of issue #22 end to end: similar lengths batched together, padded, packed, run.
TEST_F(ImdbSample, PipelineThroughBucketsAndAPackedGRU) {
  text::IMDB train(root_.string());
  text::Tokenizer tok = text::get_tokenizer("basic_english");
  std::vector<std::vector<std::string>> tokens;
  std::vector<int64_t> lengths;
  for (int64_t i = 0; i < train.size(); ++i) {
    tokens.push_back(tok(train.text(i)));
    lengths.push_back(static_cast<int64_t>(tokens.back().size()));
  }
  text::Vocab vocab = text::build_vocab_from_iterator(tokens, {.specials = text::kSpecials});
  vocab.set_default_index(vocab["<unk>"]);
  EXPECT_EQ(vocab["."], 4);  // the most frequent token (5 times) comes first after the specials
  EXPECT_EQ(vocab["bad"], 5);
  train.set_transform([&](const std::string& s) { return text::numericalize(vocab, tok(s)); });
  const int64_t pad = vocab["<pad>"];
  auto sampler = std::make_shared<data::BucketBatchSampler>(lengths, 2);
  data::DataLoader loader(train, {.batch_sampler = sampler, .collate = text::pad_collate(pad), .seed = 1});
  EXPECT_EQ(loader.size(), 3);
  nn::Embedding emb(vocab.size(), 4);
  nn::GRU gru(4, 3, {.batch_first = true});
  int64_t seen = 0;
  for (data::Batch& b : loader) {
    ASSERT_EQ(b.data.dim(), 2);
    Tensor len = b.data.ne(pad).sum(1);
    seen += b.data.size(0);
    EXPECT_EQ(len.max().item<int64_t>(), b.data.size(1)) << "padded to the batch's longest";
    auto packed = nn::utils::rnn::pack_padded_sequence(emb(b.data), len, true, false);
    auto [out, h] = gru(packed);
    EXPECT_EQ(h.sizes().vec(), (std::vector<int64_t>{1, b.data.size(0), 3}));
    EXPECT_EQ(out.data().size(0), len.sum().item<int64_t>());
  }
  EXPECT_EQ(seen, 5);
}

}  // namespace
}  // namespace nabla
