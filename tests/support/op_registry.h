// op_registry.h — a generic way to call every op of the op table (include/nabla/ops/op_table.h),
// used by the golden-file and gradcheck sweeps. Arguments arrive as a small name -> value map, in
// the same vocabulary as tests/golden/gen_golden.py writes them.
#pragma once
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "nabla/ops/op_table.h"
#include "nabla/tensor/tensor.h"

namespace nabla {

using OpArg = std::variant<bool, int64_t, double, std::string, std::vector<int64_t>>;
struct OpArgs {
  std::map<std::string, OpArg> values;
  bool has(const std::string& k) const { return values.count(k) > 0; }
  int64_t i(const std::string& k, int64_t dflt) const;
  double d(const std::string& k, double dflt) const;  // accepts an int value too
  bool b(const std::string& k, bool dflt) const;
  std::string s(const std::string& k, const std::string& dflt) const;
  std::vector<int64_t> ints(const std::string& k, const std::vector<int64_t>& dflt) const;
};

// Calls op `id` on `inputs` with `args`; ops with several results return them all (values, indices).
using OpInvoker = TensorList (*)(const TensorList& inputs, const OpArgs& args);
OpInvoker op_invoker(OpId id);
OpId op_from_name(const std::string& name);  // throws ValueError for unknown names

}  // namespace nabla
