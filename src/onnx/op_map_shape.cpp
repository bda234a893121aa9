// op_map_shape.cpp — reshapes, views, concatenation and reductions seen outside mapped modules. Views
// record no attributes, but a view shares its input's storage: its sizes, strides and offset say which
// dims it permutes, selects or slices (Note [Tracing a forward]).
#include <fmt/format.h>

#include <algorithm>

#include "nabla/ops/ops.h"
#include "onnx/op_util.h"
#include "util/check.h"

namespace nabla::onnx::detail {

namespace {

std::vector<int64_t> without(IntArrayRef v, int64_t d) {
  std::vector<int64_t> r = v.vec();
  r.erase(r.begin() + d);
  return r;
}

// The batch dim after dim `removed` is gone (-1 when it was the batch dim).
int64_t batch_after_removing(int64_t bd, int64_t removed) {
  return bd < 0 || bd == removed ? -1 : bd - (removed < bd ? 1 : 0);
}

void check_not_batch(const Tracer& t, const Tensor& x, int64_t d, std::string_view op) {
  NABLA_CHECK(
      !t.dynamic() || t.batch_dim(x) != d, NotImplementedError,
      "export_model: {} along the batch dim (dim {} of {}) does not export with a symbolic batch; export "
      "with dynamic_batch = false",
      op, d, shape_str(x.sizes()));
}

void select(Tracer& t, const Tensor& x, const Tensor& y) {
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (y.dim() != x.dim() - 1 || y.sizes().vec() != without(x.sizes(), d) ||
        y.strides().vec() != without(x.strides(), d))
      continue;
    const int64_t off = y.storage_offset() - x.storage_offset(), st = x.stride(d);
    const int64_t index = st == 0 ? 0 : off / st;
    if ((st == 0 && off != 0) || (st != 0 && off % st != 0) || index < 0 || index >= x.size(d)) continue;
    check_not_batch(t, x, d, "select");
    Graph& g = t.graph();
    std::string name =
        g.op("Gather", {t.value(x, "select"), g.scalar_int(index, "index")}, {attr_i("axis", d)});
    return t.bind(y, name, batch_after_removing(t.batch_dim(x), d));
  }
  NABLA_ASSERT(false, "onnx export: select of {} to {} not understood", shape_str(x.sizes()),
               shape_str(y.sizes()));
}

void slice(Tracer& t, const Tensor& x, const Tensor& y) {
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (y.size(d) == x.size(d) && y.stride(d) == x.stride(d)) continue;
    check_not_batch(t, x, d, "slice");
    const int64_t st = x.stride(d);
    NABLA_ASSERT(st != 0, "onnx export: slice of an expanded dim");
    const int64_t start = (y.storage_offset() - x.storage_offset()) / st, step = y.stride(d) / st;
    const int64_t end = y.size(d) == 0 ? start : start + (y.size(d) - 1) * step + 1;
    Graph& g = t.graph();
    std::string name = g.op(
        "Slice", {t.value(x, "slice"), g.constant_ints({start}, "starts"), g.constant_ints({end}, "ends"),
                  g.constant_ints({d}, "axes"), g.constant_ints({step}, "steps")});
    return t.bind(y, name, t.batch_dim(x));
  }
  t.alias(y, x, "slice");  // the whole dim
}

void permute(Tracer& t, const Tensor& x, const Tensor& y, std::string_view op) {
  std::vector<int64_t> perm;
  std::vector<bool> used(x.dim(), false);
  for (int64_t i = 0; i < y.dim(); ++i) {
    int64_t pick = -1;
    for (int64_t j = 0; j < x.dim() && pick < 0; ++j)
      if (!used[j] && x.size(j) == y.size(i) && (x.stride(j) == y.stride(i) || x.size(j) == 1)) pick = j;
    NABLA_ASSERT(pick >= 0, "onnx export: {} of {} not understood", op, shape_str(x.sizes()));
    used[pick] = true;
    perm.push_back(pick);
  }
  int64_t bd = -1;
  for (int64_t i = 0; i < y.dim(); ++i)
    if (perm[i] == t.batch_dim(x)) bd = i;
  t.bind(y, t.graph().op("Transpose", {t.value(x, op)}, {attr_ints("perm", perm)}), bd);
}

void expand(Tracer& t, const Tensor& x, const Tensor& y) {
  const int64_t lead = y.dim() - x.dim();
  std::vector<int64_t> shape = y.sizes().vec();
  for (int64_t i = lead; i < y.dim(); ++i)
    if (x.size(i - lead) == y.size(i)) shape[i] = 1;  // kept dims (the batch among them) stay symbolic
  const int64_t bd = t.batch_dim(x);
  Graph& g = t.graph();
  t.bind(y, g.op("Expand", {t.value(x, "expand"), g.constant_ints(shape, "shape")}), bd < 0 ? -1 : bd + lead);
}

void cat(Tracer& t, const TensorList& in, const Tensor& y) {
  int64_t axis = -1;
  for (int64_t d = 0; d < y.dim() && axis < 0; ++d) {
    int64_t total = 0;
    bool others_equal = true;
    for (const Tensor& x : in) {
      total += x.size(d);
      for (int64_t k = 0; k < y.dim(); ++k) others_equal &= k == d || x.size(k) == y.size(k);
    }
    if (total == y.size(d) && others_equal) axis = d;
  }
  NABLA_ASSERT(axis >= 0, "onnx export: cat to {} not understood", shape_str(y.sizes()));
  if (in.size() == 1) return t.alias(y, in[0], "cat");
  std::vector<std::string> names;
  for (const Tensor& x : in) {
    std::string v = t.value(x, "cat");
    names.push_back(
        x.dtype() == y.dtype() ? v : t.graph().op("Cast", {v}, {attr_i("to", onnx_dtype(y.dtype()))}));
  }
  t.bind(y, t.graph().op("Concat", std::move(names), {attr_i("axis", axis)}),
         broadcast_batch_dim(t, in, y.dim()));
}

// Every set of `k` dims of x whose removal leaves `target` (keepdim = false), smallest first.
void removals(IntArrayRef xs, IntArrayRef target, size_t from, std::vector<int64_t>& pick,
              std::vector<std::vector<int64_t>>& out) {
  if (pick.size() == xs.size() - target.size()) {
    std::vector<int64_t> rest;
    for (size_t i = 0; i < xs.size(); ++i)
      if (std::find(pick.begin(), pick.end(), static_cast<int64_t>(i)) == pick.end()) rest.push_back(xs[i]);
    if (rest == target.vec()) out.push_back(pick);
    return;
  }
  for (size_t i = from; i < xs.size(); ++i) {
    pick.push_back(static_cast<int64_t>(i));
    removals(xs, target, i + 1, pick, out);
    pick.pop_back();
  }
}

// sum / amax / amin record neither dims nor keepdim: the candidates the shapes allow, checked by recomputing.
void reduce(Tracer& t, OpId op, const Tensor& x, const Tensor& y) {
  const bool keepdim = y.dim() == x.dim() && x.dim() > 0;
  std::vector<std::vector<int64_t>> candidates;
  if (keepdim) {
    std::vector<int64_t> dims;
    for (int64_t d = 0; d < x.dim(); ++d)
      if (y.size(d) != x.size(d) || x.size(d) == 1) dims.push_back(d);
    candidates.push_back(dims);
  } else {
    std::vector<int64_t> pick;
    removals(x.sizes(), y.sizes(), 0, pick, candidates);
  }
  std::optional<std::vector<int64_t>> dims;
  {
    Untraced u;
    for (const auto& c : candidates) {
      Tensor r = op == OpId::sum    ? sum(x, c, keepdim)
                 : op == OpId::amax ? amax(x, c, keepdim)
                                    : amin(x, c, keepdim);
      if (same_values(r, y)) {
        dims = c;
        break;
      }
    }
  }
  NABLA_CHECK(dims.has_value(), NotImplementedError,
              "export_model: the dims of {} over {} could not be recovered", op_info(op).name,
              shape_str(x.sizes()));
  Graph& g = t.graph();
  std::string in = t.value(x, op_info(op).name);
  if (x.dtype() != y.dtype()) in = g.op("Cast", {in}, {attr_i("to", onnx_dtype(y.dtype()))});
  const int64_t keep = keepdim ? 1 : 0;
  std::string name = op == OpId::sum
                         ? g.op("ReduceSum", {in, g.constant_ints(*dims, "axes")}, {attr_i("keepdims", keep)})
                         : g.op(op == OpId::amax ? "ReduceMax" : "ReduceMin", {in},
                                {attr_ints("axes", *dims), attr_i("keepdims", keep)});
  int64_t bd = t.batch_dim(x);
  for (auto it = dims->rbegin(); it != dims->rend() && bd >= 0; ++it)
    if (*it == bd)
      bd = -1;
    else if (!keepdim && *it < bd)
      --bd;
  t.bind(y, name, bd);
}

}  // namespace

void map_shape_op(Tracer& t, OpId op, const TensorList& in, const TensorList& out) {
  switch (op) {
    case OpId::view:
    case OpId::reshape:
    case OpId::flatten:
    case OpId::unflatten:
    case OpId::squeeze:
    case OpId::unsqueeze:
      return emit_reshape(t, in[0], out[0], op_info(op).name);
    case OpId::permute:
    case OpId::transpose:
      return permute(t, in[0], out[0], op_info(op).name);
    case OpId::select:
      return select(t, in[0], out[0]);
    case OpId::slice:
      return slice(t, in[0], out[0]);
    case OpId::expand:
      return expand(t, in[0], out[0]);
    case OpId::cat:
      return cat(t, in, out[0]);
    case OpId::sum:
    case OpId::amax:
    case OpId::amin:
      return reduce(t, op, in[0], out[0]);
    default:
      return map_nn_op(t, op, in, out);
  }
}

}  // namespace nabla::onnx::detail
