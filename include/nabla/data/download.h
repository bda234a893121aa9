// download.h — fetching dataset files over HTTP(S) from a configurable list of mirrors.
//
// nabla ships no mirror host names: mirrors are configuration. A dataset's mirrors come from its
// options, else from the environment: NABLA_<NAME>_MIRRORS (e.g. NABLA_MNIST_MIRRORS), else
// NABLA_DATA_MIRRORS; each a space- or comma-separated list of base URLs ("http://host:port/path/").
// A file is fetched as <base URL><file name> into <dir>/<file name>.part (resuming a previous partial
// download with an HTTP Range request), its checksum verified, and then renamed into place. A mirror
// that fails (connection, HTTP status, truncation, checksum mismatch) is retried with resume and then
// the next mirror is tried; when all fail, IOError lists each mirror's failure.
#pragma once
#include <string>
#include <vector>

namespace nabla::data {

struct DownloadOptions {
  int attempts_per_mirror = 3;  // tries per mirror (each resumes the .part file)
  int timeout_seconds = 60;     // connect/read timeout
  bool verbose = false;         // progress lines on stderr
};

// Downloads <mirror><filename> to <dir>/<filename>, verifying `checksum` ("md5:<hex>", "sha256:<hex>",
// or "" for none). Skips the download when a file with the right checksum is already there.
// Returns the final path.
std::string download_file(const std::vector<std::string>& mirrors, const std::string& filename,
                          const std::string& dir, const std::string& checksum,
                          const DownloadOptions& options = {});

// Hex digest of a file: algorithm "md5" or "sha256".
std::string file_digest(const std::string& path, const std::string& algorithm);
// True when the file exists and matches `checksum` (same syntax as download_file; "" matches any file).
bool check_integrity(const std::string& path, const std::string& checksum);

// Mirrors configured for a dataset (see above); empty when none are.
std::vector<std::string> default_mirrors(const std::string& dataset_name);

}  // namespace nabla::data
