// einsum.cpp — torch.einsum: parse the equation, take repeated subscripts' diagonals, then contract
// the operands left to right with bmm (batch, kept and summed subscripts folded into three dims).
// Everything is permute/reshape/expand/sum/diagonal/bmm, so the derivative follows.
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "autograd/functions/common.h"

namespace nabla {

namespace {

// Subscripts are labels 0-51 ('A'-'Z' then 'a'-'z', PyTorch's order for implicit outputs); the
// dims an ellipsis covers are labels 52 + k, k counted from the left of the broadcast ellipsis.
constexpr int kEllipsisLabel = 52;

struct Term {
  std::vector<int> labels;  // one per subscript, in order; kEllipsis marks where "..." is
  bool has_ellipsis = false;
};
constexpr int kEllipsis = -1;

int label_of(char c, size_t pos) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return 26 + (c - 'a');
  throw ValueError(fmt::format(
      "einsum(): invalid subscript given at index {} in the equation string, subscripts must be in [a-zA-Z]",
      pos));
}
char char_of(int label) {
  return label < 26 ? static_cast<char>('A' + label) : static_cast<char>('a' + label - 26);
}

// "ab,b...->a" from position `begin` up to `end`: terms separated by ','.
std::vector<Term> parse_terms(const std::string& eq, size_t begin, size_t end) {
  std::vector<Term> terms(1);
  for (size_t i = begin; i < end; ++i) {
    const char c = eq[i];
    if (c == ' ') continue;
    if (c == ',') {
      terms.emplace_back();
    } else if (c == '.') {
      NABLA_CHECK(!terms.back().has_ellipsis && i + 3 <= end && eq.compare(i, 3, "...") == 0, ValueError,
                  "einsum(): found '.' for operand {} that is not part of any ellipsis, or more than one "
                  "ellipsis (equation '{}')",
                  terms.size() - 1, eq);
      terms.back().has_ellipsis = true;
      terms.back().labels.push_back(kEllipsis);
      i += 2;
    } else {
      terms.back().labels.push_back(label_of(c, i));
    }
  }
  return terms;
}

// An operand with one label per dim, each label once.
struct Operand {
  Tensor t;
  std::vector<int> labels;
};

// Expands "..." into ellipsis labels (right-aligned to `ell` dims) and takes the diagonal of every
// repeated label (diagonal() appends it as the last dim), so each label appears once.
Operand label_operand(const Tensor& x, const Term& term, size_t index, int64_t ell) {
  const int64_t named = static_cast<int64_t>(term.labels.size()) - (term.has_ellipsis ? 1 : 0);
  const int64_t covered = x.dim() - named;
  NABLA_CHECK(
      term.has_ellipsis ? covered >= 0 : covered == 0, ShapeError,
      "einsum(): the number of subscripts in the equation ({}) does not match the number of dimensions "
      "({}) for operand {}{}",
      named, x.dim(), index, term.has_ellipsis ? "" : " and no ellipsis was given");
  Operand op{x, {}};
  for (int l : term.labels) {
    if (l != kEllipsis) op.labels.push_back(l);
    for (int64_t k = 0; l == kEllipsis && k < covered; ++k)
      op.labels.push_back(kEllipsisLabel + static_cast<int>(ell - covered + k));
  }
  for (bool again = true; again;) {
    again = false;
    for (size_t i = 0; i < op.labels.size() && !again; ++i)
      for (size_t j = i + 1; j < op.labels.size() && !again; ++j) {
        if (op.labels[i] != op.labels[j]) continue;
        const auto di = static_cast<int64_t>(i), dj = static_cast<int64_t>(j);
        NABLA_CHECK(op.t.size(di) == op.t.size(dj), ShapeError,
                    "einsum(): subscript {} is repeated for operand {} but the sizes don't match, {} != {}",
                    char_of(op.labels[i]), index, op.t.size(di), op.t.size(dj));
        const int l = op.labels[i];
        op.t = op.t.diagonal(0, di, dj);
        op.labels.erase(op.labels.begin() + dj);
        op.labels.erase(op.labels.begin() + di);
        op.labels.push_back(l);
        again = true;
      }
  }
  return op;
}

int64_t dim_of(const Operand& op, int label) {
  return std::find(op.labels.begin(), op.labels.end(), label) - op.labels.begin();
}
bool has(const std::vector<int>& v, int label) { return std::find(v.begin(), v.end(), label) != v.end(); }

// Sums away the dims of `op` whose labels `needed` rejects.
template <typename Needed>
void sum_unneeded(Operand& op, Needed needed) {
  std::vector<int64_t> dims;
  std::vector<int> kept;
  for (size_t d = 0; d < op.labels.size(); ++d) {
    if (needed(op.labels[d]))
      kept.push_back(op.labels[d]);
    else
      dims.push_back(static_cast<int64_t>(d));
  }
  if (!dims.empty()) op.t = sum(op.t, dims);
  op.labels = kept;
}

// op permuted to `order` and expanded to `sizes`, then folded to [p0 * .., p1 * .., p2 * ..] by the
// group sizes of `groups` (numbers of labels per group).
Tensor fold(const Operand& op, const std::vector<int>& order, const std::vector<int64_t>& sizes,
            std::initializer_list<size_t> groups) {
  std::vector<int64_t> perm;
  for (int l : order) perm.push_back(dim_of(op, l));
  Tensor t = op.t.permute(perm).expand(sizes);
  std::vector<int64_t> folded;
  size_t at = 0;
  for (size_t g : groups) {
    int64_t n = 1;
    for (size_t k = 0; k < g; ++k) n *= sizes[at++];
    folded.push_back(n);
  }
  return t.reshape(folded);
}

// a (x) b summed over the common labels nobody needs later, as one bmm: [batch, a-only, common] @
// [batch, common, b-only]. Sizes of common labels broadcast (1 against n).
Operand contract(const Operand& a, const Operand& b, const std::function<bool(int)>& needed,
                 const std::string& eq) {
  std::vector<int> batch, a_only, b_only, summed;
  for (int l : a.labels) (has(b.labels, l) ? (needed(l) ? batch : summed) : a_only).push_back(l);
  for (int l : b.labels)
    if (!has(a.labels, l)) b_only.push_back(l);
  auto size_of = [&](int l) {
    const int64_t sa = has(a.labels, l) ? a.t.size(dim_of(a, l)) : 1;
    const int64_t sb = has(b.labels, l) ? b.t.size(dim_of(b, l)) : 1;
    NABLA_CHECK(sa == sb || sa == 1 || sb == 1, ShapeError,
                "einsum(): subscript {} has size {} for an operand which does not broadcast with previously "
                "seen size {} (equation '{}')",
                l < kEllipsisLabel ? std::string(1, char_of(l)) : std::string("..."), sb, sa, eq);
    return std::max(sa, sb);
  };
  auto sizes = [&](std::initializer_list<const std::vector<int>*> parts) {
    std::vector<int64_t> s;
    for (auto* p : parts)
      for (int l : *p) s.push_back(size_of(l));
    return s;
  };
  std::vector<int> a_order = batch, b_order = batch;
  a_order.insert(a_order.end(), a_only.begin(), a_only.end());
  a_order.insert(a_order.end(), summed.begin(), summed.end());
  b_order.insert(b_order.end(), summed.begin(), summed.end());
  b_order.insert(b_order.end(), b_only.begin(), b_only.end());
  Tensor a3 =
      fold(a, a_order, sizes({&batch, &a_only, &summed}), {batch.size(), a_only.size(), summed.size()});
  Tensor b3 =
      fold(b, b_order, sizes({&batch, &summed, &b_only}), {batch.size(), summed.size(), b_only.size()});
  Operand out;
  out.labels = batch;
  out.labels.insert(out.labels.end(), a_only.begin(), a_only.end());
  out.labels.insert(out.labels.end(), b_only.begin(), b_only.end());
  out.t = bmm(a3, b3).reshape(sizes({&batch, &a_only, &b_only}));
  return out;
}

// The output's labels: explicit after "->"; else the ellipsis dims, then every subscript used exactly
// once, in label order (PyTorch's implicit output).
std::vector<int> output_labels(const std::string& eq, size_t arrow, const std::vector<Term>& terms,
                               int64_t ell) {
  std::vector<int> out;
  if (arrow == std::string::npos) {
    for (int64_t k = 0; k < ell; ++k) out.push_back(kEllipsisLabel + static_cast<int>(k));
    std::vector<int> count(kEllipsisLabel, 0);
    for (const Term& t : terms)
      for (int l : t.labels)
        if (l != kEllipsis) ++count[l];
    for (int l = 0; l < kEllipsisLabel; ++l)
      if (count[l] == 1) out.push_back(l);
    return out;
  }
  const std::vector<Term> rhs = parse_terms(eq, arrow + 2, eq.size());
  NABLA_CHECK(rhs.size() == 1, ValueError,
              "einsum(): the output subscripts may not contain ',' (equation '{}')", eq);
  for (int l : rhs[0].labels) {
    if (l == kEllipsis) {
      for (int64_t k = 0; k < ell; ++k) out.push_back(kEllipsisLabel + static_cast<int>(k));
      continue;
    }
    NABLA_CHECK(!has(out, l), ValueError,
                "einsum(): output subscript {} appears more than once in the output", char_of(l));
    bool used = false;
    for (const Term& t : terms) used = used || has(t.labels, l);
    NABLA_CHECK(used, ValueError,
                "einsum(): output subscript {} does not appear in the equation for any input operand",
                char_of(l));
    out.push_back(l);
  }
  return out;
}

}  // namespace

Tensor einsum(const std::string& equation, const TensorList& operands) {
  check_defined_list("einsum", operands);
  NABLA_CHECK(!operands.empty(), ValueError, "einsum(): must provide at least one operand");
  const size_t arrow = equation.find("->");
  const std::vector<Term> terms = parse_terms(equation, 0, std::min(arrow, equation.size()));
  NABLA_CHECK(terms.size() <= operands.size(), ValueError,
              "einsum(): fewer operands were provided than specified in the equation ('{}' names {}, got {})",
              equation, terms.size(), operands.size());
  NABLA_CHECK(terms.size() >= operands.size(), ValueError,
              "einsum(): more operands were provided than specified in the equation ('{}' names {}, got {})",
              equation, terms.size(), operands.size());
  for (const Tensor& t : operands)
    NABLA_CHECK(t.dtype() == operands[0].dtype(), DTypeError,
                "einsum(): expected all operands to have dtype {}, but found {}",
                dtype_name(operands[0].dtype()), dtype_name(t.dtype()));
  int64_t ell = 0;  // dims the broadcast ellipsis covers
  for (size_t i = 0; i < terms.size(); ++i)
    if (terms[i].has_ellipsis)
      ell = std::max<int64_t>(ell, operands[i].dim() - static_cast<int64_t>(terms[i].labels.size()) + 1);
  std::vector<Operand> ops;
  for (size_t i = 0; i < terms.size(); ++i) ops.push_back(label_operand(operands[i], terms[i], i, ell));
  std::vector<int> output = output_labels(equation, arrow, terms, ell);
  // A label is needed after step k when the output or an operand after k has it.
  auto needed_after = [&](size_t k) {
    return [&, k](int l) {
      if (has(output, l)) return true;
      for (size_t j = k + 1; j < ops.size(); ++j)
        if (has(ops[j].labels, l)) return true;
      return false;
    };
  };
  Operand acc = ops[0];
  sum_unneeded(acc, needed_after(0));
  for (size_t k = 1; k < ops.size(); ++k) {
    auto needed = needed_after(k);
    Operand b = ops[k];
    sum_unneeded(b, [&](int l) { return needed(l) || has(acc.labels, l); });
    sum_unneeded(acc, [&](int l) { return needed(l) || has(b.labels, l); });
    acc = contract(acc, b, needed, equation);
  }
  std::vector<int64_t> perm;
  for (int l : output) perm.push_back(dim_of(acc, l));
  return acc.t.permute(perm);
}

}  // namespace nabla
