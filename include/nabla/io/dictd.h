// dictd.h — dictionaries in the dictd format (Debian's dict-freedict-* packages): a text `.index` of
// "headword<TAB>offset<TAB>length" lines (offset and length in dictd's base64 digits) into the `.dict`
// text, usually compressed as `.dict.dz` (dictzip: gzip with a random-access header; read here as gzip).
//
//   for (const io::DictEntry& e : io::read_dictd("/usr/share/dictd/freedict-eng-spa.index",
//                                                "/usr/share/dictd/freedict-eng-spa.dict.dz"))
//     use(e.headword, e.definition);   // "abbey", "abbey /əbei/\nabadía\n"
#pragma once
#include <string>
#include <vector>

namespace nabla::io {

struct DictEntry {
  std::string headword;    // as in the index
  std::string definition;  // the entry's text in the .dict file (dictd entries usually repeat the headword)
};

// Every entry of the index, in index order, skipping dictd's metadata entries ("00database..." /
// "00-database-..."). Malformed lines, bad base64 digits and offsets or lengths beyond the .dict text are
// IOErrors naming the file and line.
std::vector<DictEntry> read_dictd(const std::string& index_path, const std::string& dict_path);

}  // namespace nabla::io
