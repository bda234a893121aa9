// data/: downloads against a local HTTP server on 127.0.0.1 started by the test (cpp-httplib): resume
// after a dropped connection, checksum verification, mirror fallback, temp file + rename.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nabla/nabla.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "data/test_util.h"

using namespace nabla;
using namespace nabla::data;
using nabla::testing::expect_error;
using nabla::testing::read_bytes;
using nabla::testing::TempDir;
using nabla::testing::write_bytes;

namespace {
std::string payload() {
  std::string s(100000, '\0');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>((i * 131 + i / 1000) % 251);
  return s;
}

// Serves /good/f.bin (Range-aware), /corrupt/f.bin (same size, one byte flipped), /short/f.bin (the first
// half, a complete but truncated file), /flaky/f.bin (drops the connection halfway on the first request,
// then serves Ranges), /any/<name> (a few wrong bytes for any name), and 404 elsewhere.
class LocalServer {
 public:
  LocalServer() : data_(payload()) {
    auto serve = [this](const std::string& body, const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.set_content(body, "application/octet-stream");  // httplib answers Range requests with 206
    };
    server_.Get("/good/f.bin", [=, this](const auto& req, auto& res) { serve(data_, req, res); });
    server_.Get("/short/f.bin", [=, this](const auto& req, auto& res) {
      serve(data_.substr(0, data_.size() / 2), req, res);
    });
    server_.Get("/corrupt/f.bin", [=, this](const auto& req, auto& res) {
      std::string bad = data_;
      bad[777] ^= 1;
      serve(bad, req, res);
    });
    server_.Get("/flaky/f.bin", [=, this](const httplib::Request& req, httplib::Response& res) {
      if (flaky_calls_++ > 0) return serve(data_, req, res);
      record(req);
      const size_t half = data_.size() / 2;
      res.set_content_provider(data_.size(), "application/octet-stream",
                               [this, half](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (offset >= half) return false;  // drop the connection mid-body
                                 sink.write(data_.data(), half);
                                 return true;
                               });
    });
    server_.Get(R"(/any/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      record(req);
      res.set_content("not the file you are looking for", "application/octet-stream");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LocalServer() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& dir) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + dir + "/";
  }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lk(m_);
    return requests_;
  }
  const std::string& data() const { return data_; }

 private:
  void record(const httplib::Request& req) {
    std::lock_guard<std::mutex> lk(m_);
    requests_.push_back(req.path + (req.has_header("Range") ? " " + req.get_header_value("Range") : ""));
  }
  std::string data_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex m_;
  std::vector<std::string> requests_;
  std::atomic<int> flaky_calls_{0};
};

std::string sha256_of(const std::string& s, const TempDir& dir) {
  write_bytes(dir / "tmp.bin", std::vector<uint8_t>(s.begin(), s.end()));
  return "sha256:" + file_digest(dir / "tmp.bin", "sha256");
}
}  // namespace

TEST(Download, DigestsMatchKnownValues) {
  TempDir dir;
  write_bytes(dir / "abc", {'a', 'b', 'c'});
  EXPECT_EQ(file_digest(dir / "abc", "md5"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(file_digest(dir / "abc", "sha256"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(check_integrity(dir / "abc", "md5:900150983cd24fb0d6963f7d28e17f72"));
  EXPECT_FALSE(check_integrity(dir / "abc", "md5:00000000000000000000000000000000"));
  EXPECT_FALSE(check_integrity(dir / "nope", ""));
  expect_error<ValueError>([&] { file_digest(dir / "abc", "crc"); }, {"unknown algorithm", "crc"});
}

TEST(Download, FetchesVerifiesAndSkipsWhenPresent) {
  LocalServer server;
  TempDir dir;
  std::string sum = sha256_of(server.data(), dir);
  std::string path = download_file({server.url("good")}, "f.bin", dir / "out", sum);
  EXPECT_EQ(path, dir / "out/f.bin");
  auto got = read_bytes(path);
  EXPECT_EQ(std::string(got.begin(), got.end()), server.data());
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));
  size_t before = server.requests().size();
  download_file({server.url("good")}, "f.bin", dir / "out", sum);
  EXPECT_EQ(server.requests().size(), before) << "a verified file is not fetched again";
}

TEST(Download, ResumesAfterDroppedConnection) {
  LocalServer server;
  TempDir dir;
  std::string sum = sha256_of(server.data(), dir);
  std::string path = download_file({server.url("flaky")}, "f.bin", dir.str(), sum);
  auto got = read_bytes(path);
  EXPECT_EQ(std::string(got.begin(), got.end()), server.data());
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0], "/flaky/f.bin");
  EXPECT_EQ(reqs[1], "/flaky/f.bin bytes=50000-") << "the second request resumes where the first stopped";
}

TEST(Download, CorruptAndTruncatedMirrorsFallBackOrFail) {
  LocalServer server;
  TempDir dir;
  std::string sum = sha256_of(server.data(), dir);
  // Bad mirrors first: a missing file, a corrupt one, a truncated one; the good one last wins.
  std::string path =
      download_file({server.url("missing"), server.url("corrupt"), server.url("short"), server.url("good")},
                    "f.bin", dir / "a", sum);
  EXPECT_EQ(read_bytes(path).size(), server.data().size());
  // Only bad mirrors: IOError naming each failure, no file left behind (neither final nor temp).
  expect_error<IOError>(
      [&] {
        download_file({server.url("corrupt"), server.url("short"), server.url("missing")}, "f.bin", dir / "b",
                      sum);
      },
      {"could not fetch f.bin from any of 3 mirror(s)", "/corrupt/f.bin: sha256 mismatch",
       "/short/f.bin: sha256 mismatch", "/missing/f.bin: HTTP status 404"});
  EXPECT_FALSE(std::filesystem::exists(dir / "b/f.bin"));
  EXPECT_FALSE(std::filesystem::exists(dir / "b/f.bin.part"));
  expect_error<IOError>([&] { download_file({}, "f.bin", dir / "c", sum); },
                        {"no mirrors configured", "f.bin"});
  // A connection refused (nothing listens on port 1) is a transfer failure, retried and then reported.
  expect_error<IOError>(
      [&] { download_file({"http://127.0.0.1:1/"}, "f.bin", dir / "d", sum, {.attempts_per_mirror = 2}); },
      {"127.0.0.1:1", "transfer failed"});
}

// A local write failure (here a full device) is an IOError naming the file and the errno, at once:
// no retry or other mirror can help.
TEST(Download, WriteFailureNamesTheFileAndErrno) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  LocalServer server;
  TempDir dir;
  std::filesystem::create_directories(dir / "out");
  std::filesystem::create_symlink("/dev/full", dir / "out/f.bin.part");
  expect_error<IOError>(
      [&] {
        download_file({server.url("good"), server.url("good")}, "f.bin", dir / "out", "");
      },
      {"cannot write", "f.bin.part", "No space left on device"});
  EXPECT_EQ(server.requests().size(), 1u) << "no retry after a local write failure";
  // A directory where the .part should be: the same, not a filesystem exception.
  std::filesystem::remove(dir / "out/f.bin.part");
  std::filesystem::create_directories(dir / "out/f.bin.part");
  expect_error<IOError>([&] { download_file({server.url("good")}, "f.bin", dir / "out", ""); },
                        {"cannot write", "f.bin.part"});
}

TEST(Download, DatasetsUseConfiguredMirrors) {
  LocalServer server;
  TempDir root;
  // The server's files are not the real MNIST archives: the md5 check must refuse them.
  expect_error<IOError>(
      [&] { data::MNIST m(root.str(), {.download = true, .mirrors = {server.url("any")}}); },
      {"train-images-idx3-ubyte.gz", "md5 mismatch"});
  expect_error<IOError>([&] { data::MNIST m(root.str(), {.download = true}); }, {"no mirrors configured"});
  ::setenv("NABLA_FASHIONMNIST_MIRRORS", "http://127.0.0.1:9/a/, http://127.0.0.1:9/b/", 1);
  EXPECT_EQ(default_mirrors("FashionMNIST"),
            (std::vector<std::string>{"http://127.0.0.1:9/a/", "http://127.0.0.1:9/b/"}));
  ::unsetenv("NABLA_FASHIONMNIST_MIRRORS");
  expect_error<IOError>(
      [&] { data::CIFAR10 c(root.str(), {.download = true, .mirrors = {server.url("missing")}}); },
      {"cifar-10-binary.tar.gz", "404"});
}
