// print.cpp — Tensor::str() (PyTorch 1.13's repr(tensor), following torch/_tensor_str.py rule for rule),
// Tensor::toString() ("Float32 [2, 3]") and operator<<. Reads elements through the public Tensor API only.
//
// Note [Tensor printout]
// One _Formatter decides for the whole tensor (or, past kThreshold elements, for the elements the
// summary shows): integral dtypes print plainly; floating dtypes print in integer mode ("1.", "2.") when
// every non-zero finite value is integral, in fixed mode with kPrecision decimals otherwise, and in
// scientific mode ("1.0000e+05") when max/min > 1000 or max > 1e8 (or min < 1e-4 outside integer mode),
// max and min taken over the absolute non-zero finite values. Every element is right-aligned to the widest
// one (nan/inf don't count towards the width). Rows wrap to kLineWidth; dims longer than 2*kEdgeItems
// are summarized with "..." when the tensor has more than kThreshold elements. The tests'
// expectations come from Debian's PyTorch: tests/tensor/print_cases.py.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <string>
#include <vector>

#include "nabla/autograd/node.h"
#include "nabla/tensor/tensor.h"

namespace nabla {
namespace {

// torch.set_printoptions(profile="default").
constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int kLineWidth = 80;

// The elements a printout shows, in row-major order of a compact shape: a summarized dim keeps its
// first and last kEdgeItems entries (PyTorch's get_summarized_data) and is marked `elided`.
struct Shown {
  std::vector<int64_t> sizes;    // compact shape
  std::vector<int64_t> strides;  // row-major strides of the compact shape
  std::vector<bool> elided;      // dim d prints "..." after its first kEdgeItems entries
  bool floating = false;
  std::vector<double> f;   // values of a floating tensor
  std::vector<int64_t> i;  // values of an integral or bool tensor
};

// Indices of dim `size` that the printout shows.
std::vector<int64_t> kept_indices(int64_t size, bool summarize) {
  std::vector<int64_t> idx;
  if (summarize && size > 2 * kEdgeItems) {
    for (int64_t k = 0; k < kEdgeItems; ++k) idx.push_back(k);
    for (int64_t k = size - kEdgeItems; k < size; ++k) idx.push_back(k);
  } else {
    for (int64_t k = 0; k < size; ++k) idx.push_back(k);
  }
  return idx;
}

// Reads the shown elements. A summary reads element by element (never the whole tensor); so does int64,
// whose values a double cannot always hold exactly.
Shown read_shown(const Tensor& t, bool summarize) {
  Shown s;
  const int nd = t.dim();
  s.floating = t.is_floating_point();
  std::vector<std::vector<int64_t>> kept(nd);
  for (int d = 0; d < nd; ++d) {
    kept[d] = kept_indices(t.size(d), summarize);
    s.sizes.push_back(static_cast<int64_t>(kept[d].size()));
    s.elided.push_back(summarize && t.size(d) > 2 * kEdgeItems);
  }
  s.strides.assign(nd, 1);
  for (int d = nd - 2; d >= 0; --d) s.strides[d] = s.strides[d + 1] * s.sizes[d + 1];

  if (!summarize && t.dtype() != kInt64) {
    std::vector<double> v = t.to_vector();
    if (s.floating)
      s.f = std::move(v);
    else
      for (double x : v) s.i.push_back(static_cast<int64_t>(x));
    return s;
  }
  // Odometer over the product of the kept indices (one step for a 0-dim tensor).
  std::vector<int64_t> pos(nd, 0), index(nd, 0);
  while (true) {
    for (int d = 0; d < nd; ++d) index[d] = kept[d][pos[d]];
    Scalar v = t.at(index);
    if (s.floating)
      s.f.push_back(v.to_double());
    else
      s.i.push_back(v.to_int());
    int d = nd - 1;
    while (d >= 0 && ++pos[d] == s.sizes[d]) pos[d--] = 0;
    if (d < 0) break;
  }
  return s;
}

// PyTorch's _Formatter: chooses the mode and the column width once, then formats each element.
class Formatter {
 public:
  Formatter(const Shown& s, DType dtype) : s_(s), bool_(dtype == kBool) {
    if (s.floating)
      init_floating();
    else
      for (size_t k = 0; k < s.i.size(); ++k) max_width_ = std::max(max_width_, raw(k).size());
  }
  size_t width() const { return max_width_; }
  // Element k of the shown values, right-aligned to width().
  std::string format(size_t k) const {
    std::string r = raw(k);
    return r.size() < max_width_ ? std::string(max_width_ - r.size(), ' ') + r : r;
  }

 private:
  void init_floating() {
    double mn = INFINITY, mx = 0;
    bool any = false;
    for (double v : s_.f) {
      if (!std::isfinite(v) || v == 0) continue;
      any = true;
      mn = std::min(mn, std::fabs(v));
      mx = std::max(mx, std::fabs(v));
      if (v != std::ceil(v)) int_mode_ = false;
    }
    if (!any) return;  // only zeros, nan and inf: integer mode, width 1
    sci_mode_ = mx / mn > 1000.0 || mx > 1.0e8 || (!int_mode_ && mn < 1.0e-4);
    for (double v : s_.f) {
      if (!std::isfinite(v) || v == 0) continue;
      size_t w = sci_mode_   ? fmt::format("{:.{}e}", v, kPrecision).size()
                 : int_mode_ ? fmt::format("{:.0f}", v).size() + 1
                             : fmt::format("{:.{}f}", v, kPrecision).size();
      max_width_ = std::max(max_width_, w);
    }
  }
  std::string raw(size_t k) const {
    if (!s_.floating) {
      if (bool_) return s_.i[k] ? "True" : "False";
      return fmt::format("{}", s_.i[k]);
    }
    double v = s_.f[k];
    if (std::isnan(v)) return "nan";  // Python prints no sign on a nan
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (sci_mode_) return fmt::format("{:.{}e}", v, kPrecision);
    if (int_mode_) return fmt::format("{:.0f}.", v);
    return fmt::format("{:.{}f}", v, kPrecision);
  }

  const Shown& s_;
  bool bool_;
  bool int_mode_ = true, sci_mode_ = false;
  size_t max_width_ = 1;
};

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) out += (k ? sep : "") + parts[k];
  return out;
}

// _vector_str: the last dim, wrapped to kLineWidth.
std::string vector_str(const Shown& s, const Formatter& f, int64_t offset, int indent) {
  const int64_t n = s.sizes.back();
  std::vector<std::string> data;
  for (int64_t k = 0; k < n; ++k) {
    data.push_back(f.format(static_cast<size_t>(offset + k)));
    if (s.elided.back() && k == kEdgeItems - 1) data.push_back(" ...");
  }
  const double element_length = static_cast<double>(f.width() + 2);
  const size_t per_line =
      static_cast<size_t>(std::max(1.0, std::floor((kLineWidth - indent) / element_length)));
  std::vector<std::string> lines;
  for (size_t k = 0; k < data.size(); k += per_line) {
    std::vector<std::string> line(data.begin() + k, data.begin() + std::min(data.size(), k + per_line));
    lines.push_back(join(line, ", "));
  }
  return "[" + join(lines, ",\n" + std::string(indent + 1, ' ')) + "]";
}

// _tensor_str_with_formatter: dim `d` onwards, starting at element `offset` of the shown values.
std::string body_str(const Shown& s, const Formatter& f, size_t d, int64_t offset, int indent) {
  const size_t nd = s.sizes.size();
  if (nd == 0) return f.format(0);
  if (d + 1 == nd) return vector_str(s, f, offset, indent);
  std::vector<std::string> slices;
  for (int64_t k = 0; k < s.sizes[d]; ++k) {
    slices.push_back(body_str(s, f, d + 1, offset + k * s.strides[d], indent + 1));
    if (s.elided[d] && k == kEdgeItems - 1) slices.push_back("...");
  }
  const std::string sep = "," + std::string(nd - d - 1, '\n') + std::string(indent + 1, ' ');
  return "[" + join(slices, sep) + "]";
}

// _add_suffixes: ", suffix" on the last line while it fits in kLineWidth, else on a new line.
std::string add_suffixes(const std::string& text, const std::vector<std::string>& suffixes, int indent) {
  std::string out = text;
  const size_t nl = text.rfind('\n');
  // Python: len(s) - s.rfind("\n") + 1, where rfind gives -1 when there is no newline.
  int64_t last_line_len =
      static_cast<int64_t>(text.size()) + 1 - (nl == std::string::npos ? -1 : static_cast<int64_t>(nl));
  for (const std::string& suffix : suffixes) {
    const int64_t len = static_cast<int64_t>(suffix.size());
    if (last_line_len + len + 2 > kLineWidth) {
      out += ",\n" + std::string(indent, ' ') + suffix;
      last_line_len = indent + len;
    } else {
      out += ", " + suffix;
      last_line_len += len + 2;
    }
  }
  return out + ")";
}

// Python's str(tuple(shape)): "(0, 3)", "(0,)".
std::string tuple_str(IntArrayRef sizes) {
  std::string out = "(";
  for (size_t k = 0; k < sizes.size(); ++k) out += (k ? ", " : "") + std::to_string(sizes[k]);
  return out + (sizes.size() == 1 ? ",)" : ")");
}

std::string dtype_title(DType t) {
  switch (t) {
#define NABLA_DTYPE_TITLE(name, type, str) \
  case DType::name:                        \
    return #name;
    NABLA_FOREACH_DTYPE(NABLA_DTYPE_TITLE)
#undef NABLA_DTYPE_TITLE
  }
  return "?";
}

}  // namespace

// _str_intern for a plain strided tensor.
std::string Tensor::str() const {
  if (!defined()) return "[ Tensor (undefined) ]";
  const std::string prefix = "tensor(";
  const int indent = static_cast<int>(prefix.size());
  const std::string dtype_suffix = fmt::format("dtype=torch.{}", dtype_name(dtype()));
  std::vector<std::string> suffixes;
  if (!device().is_cpu()) suffixes.push_back("device='" + device().str() + "'");
  std::string body = "[]";
  if (numel() == 0) {
    if (dim() != 1) suffixes.push_back("size=" + tuple_str(sizes()));
    if (dtype() != kFloat32) suffixes.push_back(dtype_suffix);  // no element shows the dtype
  } else {
    if (dtype() != kFloat32 && dtype() != kInt64 && dtype() != kBool) suffixes.push_back(dtype_suffix);
    const Shown shown = read_shown(*this, numel() > kThreshold);
    body = body_str(shown, Formatter(shown, dtype()), 0, 0, indent);
  }
  if (auto fn = grad_fn())
    suffixes.push_back("grad_fn=<" + fn->name() + ">");
  else if (requires_grad())
    suffixes.push_back("requires_grad=True");
  return add_suffixes(prefix + body, suffixes, indent);
}

std::string Tensor::toString() const {
  if (!defined()) return "Undefined";
  return dtype_title(dtype()) + " " + shape_str(sizes());
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace nabla
