// download.cpp — HTTP(S) downloads with resume, checksums (OpenSSL EVP) and mirror fallback; the dataset
// helper that finds a file or downloads it. See download.h for the contract.
#include "nabla/data/download.h"

#include <httplib.h>
#include <openssl/evp.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "data/dataset_files.h"
#include "util/check.h"

namespace nabla::data {

namespace fs = std::filesystem;

std::string file_digest(const std::string& path, const std::string& algorithm) {
  const EVP_MD* md = algorithm == "md5" ? EVP_md5() : algorithm == "sha256" ? EVP_sha256() : nullptr;
  NABLA_CHECK(md != nullptr, ValueError, "file_digest: unknown algorithm '{}' (md5 or sha256)", algorithm);
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.good(), IOError, "{}: cannot open file", path);
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  NABLA_CHECK(ctx && EVP_DigestInit_ex(ctx.get(), md, nullptr) == 1, IOError,
              "file_digest: OpenSSL init failed");
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  NABLA_CHECK(in.eof(), IOError, "{}: read error while hashing", path);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

namespace {
std::pair<std::string, std::string> split_checksum(const std::string& checksum) {
  auto colon = checksum.find(':');
  NABLA_CHECK(colon != std::string::npos, ValueError,
              "checksum '{}' must look like md5:<hex> or sha256:<hex>", checksum);
  return {checksum.substr(0, colon), checksum.substr(colon + 1)};
}

// "http://host:port/a/b/" + "file" -> ("http://host:port", "/a/b/file").
std::pair<std::string, std::string> split_url(const std::string& base, const std::string& filename) {
  auto scheme_end = base.find("://");
  NABLA_CHECK(scheme_end != std::string::npos, ValueError, "download: mirror '{}' is not an http(s):// URL",
              base);
  auto path_start = base.find('/', scheme_end + 3);
  std::string host = path_start == std::string::npos ? base : base.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : base.substr(path_start);
  if (path.back() != '/') path += '/';
  return {host, path + filename};
}

// One GET of url into `part`, resuming from its current size. Returns "" on a complete transfer,
// else the reason; `retry` says whether trying the same mirror again can help.
std::string fetch_to_part(const std::string& base, const std::string& filename, const std::string& part,
                          const DownloadOptions& options, bool& retry) {
  auto [host, path] = split_url(base, filename);
  httplib::Client client(host);
  client.set_connection_timeout(options.timeout_seconds, 0);
  client.set_read_timeout(options.timeout_seconds, 0);
  client.set_follow_location(true);
  std::error_code size_ec;  // a .part that is no regular file (a directory...) fails at open, below
  const uintmax_t have = fs::is_regular_file(part, size_ec) ? fs::file_size(part, size_ec) : 0;
  httplib::Headers headers;
  if (have > 0) headers.emplace("Range", fmt::format("bytes={}-", have));
  std::ofstream out;
  int status = 0, write_errno = 0;  // a local write failure (full disk...): no mirror can help
  auto res = client.Get(
      path, headers,
      [&](const httplib::Response& r) {
        status = r.status;
        if (status == 200 || status == 206) {
          errno = 0;
          out.open(part, std::ios::binary | (status == 206 ? std::ios::app : std::ios::trunc));
          if (!out) write_errno = errno ? errno : EIO;
        }
        return (status == 200 || status == 206) && !write_errno;
      },
      [&](const char* data, size_t len) {
        errno =
            0;  // a failed write sets badbit in the call whose buffer flush failed; close() checks the tail
        out.write(data, static_cast<std::streamsize>(len));
        if (!out) write_errno = errno ? errno : EIO;
        return !write_errno;
      });
  if (out.is_open()) {
    errno = 0;
    out.close();
    if (out.fail() && !write_errno) write_errno = errno ? errno : EIO;
  }
  NABLA_CHECK(!write_errno, IOError, "download: cannot write {}: {}", part, std::strerror(write_errno));
  retry = false;
  if (status == 416 && have > 0) return "";  // nothing left to fetch: the .part is complete
  if (status != 0 && status != 200 && status != 206)
    return fmt::format("{}{}: HTTP status {}", host, path, status);
  if (!res) {
    retry = true;
    return fmt::format("{}{}: transfer failed ({})", host, path, httplib::to_string(res.error()));
  }
  return "";
}
}  // namespace

bool check_integrity(const std::string& path, const std::string& checksum) {
  if (!detail::is_file(path)) return false;
  if (checksum.empty()) return true;
  auto [algorithm, hex] = split_checksum(checksum);
  return file_digest(path, algorithm) == hex;
}

std::string download_file(const std::vector<std::string>& mirrors, const std::string& filename,
                          const std::string& dir, const std::string& checksum,
                          const DownloadOptions& options) {
  const std::string final_path = (fs::path(dir) / filename).string();
  if (check_integrity(final_path, checksum)) return final_path;
  NABLA_CHECK(!mirrors.empty(), IOError,
              "download: no mirrors configured for {}: set options.mirrors, NABLA_<DATASET>_MIRRORS or "
              "NABLA_DATA_MIRRORS to base URLs (see docs/data.md)",
              filename);
  std::error_code ec;
  fs::create_directories(dir, ec);
  NABLA_CHECK(!ec, IOError, "download: cannot create directory {}: {}", dir, ec.message());
  const std::string part = final_path + ".part";
  std::vector<std::string> failures;
  for (const std::string& mirror : mirrors) {
    for (int attempt = 0; attempt < std::max(1, options.attempts_per_mirror); ++attempt) {
      bool retry = false;
      std::string err = fetch_to_part(mirror, filename, part, options, retry);
      if (!err.empty()) {
        failures.push_back(err);
        if (retry) continue;
        break;
      }
      if (!check_integrity(part, checksum)) {
        auto [algorithm, hex] = split_checksum(checksum);
        failures.push_back(fmt::format("{}{}: {} mismatch (got {}, expected {})", mirror, filename, algorithm,
                                       file_digest(part, algorithm), hex));
        fs::remove(part, ec);
        break;
      }
      fs::rename(part, final_path, ec);
      NABLA_CHECK(!ec, IOError, "download: cannot rename {} to {}: {}", part, final_path, ec.message());
      if (options.verbose) std::cerr << "downloaded " << final_path << " from " << mirror << "\n";
      return final_path;
    }
  }
  std::string all;
  for (auto& f : failures) all += "\n  " + f;
  throw IOError(
      fmt::format("download: could not fetch {} from any of {} mirror(s):{}", filename, mirrors.size(), all));
}

std::vector<std::string> default_mirrors(const std::string& dataset_name) {
  std::string var = "NABLA_";
  for (char c : dataset_name)
    var += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  var += "_MIRRORS";
  const char* value = std::getenv(var.c_str());
  if (!value || !*value) value = std::getenv("NABLA_DATA_MIRRORS");
  std::vector<std::string> out;
  if (!value) return out;
  std::string cur;
  for (const char* p = value;; ++p) {
    if (*p == 0 || *p == ' ' || *p == ',' || *p == '\n') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
      if (*p == 0) break;
    } else {
      cur += *p;
    }
  }
  return out;
}

}  // namespace nabla::data

namespace nabla::data::detail {

namespace fs = std::filesystem;

std::string find_or_download(const std::string& dir, const std::string& name,
                             const std::vector<std::string>& alternatives, const DatasetOptions& options,
                             const std::string& dataset_name, const std::string& remote_name,
                             const std::string& checksum) {
  const fs::path base = fs::path(dir) / name;
  if (detail::is_file(base)) return base.string();  // an unexaminable path counts as absent
  for (auto& suffix : alternatives)
    if (detail::is_file(base.string() + suffix)) return base.string() + suffix;
  NABLA_CHECK(
      options.download, IOError,
      "{}: {} not found (nor {}{}); pass download=true with mirrors configured, or run tools/fetch-data",
      dataset_name, base.string(), name, alternatives.empty() ? "" : alternatives[0]);
  auto mirrors = options.mirrors.empty() ? data::default_mirrors(dataset_name) : options.mirrors;
  return data::download_file(mirrors, remote_name, dir, checksum);
}

}  // namespace nabla::data::detail
