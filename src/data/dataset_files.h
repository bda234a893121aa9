// dataset_files.h — locating a dataset's files on disk, downloading them when allowed.
#pragma once
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "nabla/data/datasets.h"

namespace nabla::data::detail {

// A regular file at p; false, not a std::filesystem_error, when p cannot be examined (permissions, a
// symlink loop, a name too long).
inline bool is_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

// dir/name if it exists, else dir/name<alt> for the first alternative suffix that exists; otherwise
// (when options.download) downloads `remote_name` into dir from the configured mirrors, verifying
// `checksum`, and returns its path. IOError naming the missing file when none of this works.
std::string find_or_download(const std::string& dir, const std::string& name,
                             const std::vector<std::string>& alternatives, const DatasetOptions& options,
                             const std::string& dataset_name, const std::string& remote_name,
                             const std::string& checksum);

}  // namespace nabla::data::detail
