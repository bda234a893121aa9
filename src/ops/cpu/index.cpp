// index.cpp — CPU gather/scatter family: index_select, index_add, gather, scatter(_add),
// masked_select/masked_scatter and nonzero. Indices arrive validated (in range, int64).
#include <cstring>

#include "ops/cpu/loops.h"
#include "ops/dispatch_dtype.h"
#include "ops/kernels.h"
#include "tensor/raw.h"

namespace nabla::cpu {

void copy(const Tensor& dst, const Tensor& src);

namespace {
bool rows_are_contiguous(const Tensor& a, const Tensor& b, int64_t dim) {
  return dim == 0 && a.is_contiguous() && b.is_contiguous();
}
}  // namespace

void index_select(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  const int64_t* idx = index.data_ptr<int64_t>();
  const int64_t n = index.numel();
  if (rows_are_contiguous(out, x, dim) && x.dim() > 0) {  // embedding-style row gather
    const size_t row = (x.numel() / std::max<int64_t>(x.size(0), 1)) * dtype_size(x.dtype());
    const char* src = static_cast<const char*>(x.data_ptr());
    char* dst = static_cast<char*>(out.data_ptr());
    parallel_for(n, static_cast<int64_t>(row / 4), [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) std::memcpy(dst + i * row, src + idx[i] * row, row);
    });
    return;
  }
  for (int64_t i = 0; i < n; ++i) copy(raw::select(out, dim, i), raw::select(x, dim, idx[i]));
}

void index_add(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src) {
  const int64_t* idx = index.data_ptr<int64_t>();
  const int64_t n = index.numel();
  dispatch_dtype(out.dtype(), "index_add", [&]<typename T>() {
    if (rows_are_contiguous(out, src, dim) && out.dim() > 0) {
      const int64_t row = out.numel() / std::max<int64_t>(out.size(0), 1);
      T* o = out.data_ptr<T>();
      const T* s = src.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) {
        T* orow = o + idx[i] * row;
        const T* srow = s + i * row;
        for (int64_t j = 0; j < row; ++j) orow[j] += srow[j];
      }
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      Tensor o = raw::select(out, dim, idx[i]), s = raw::select(src, dim, i);
      auto plan = make_plan<2>(o.sizes(), {&o, &s}, {o.strides().data(), s.strides().data()});
      for_each_strided<2>(plan, false, [&](char** p, const int64_t* st, int64_t m) {
        for (int64_t j = 0; j < m; ++j)
          *reinterpret_cast<T*>(p[0] + j * st[0]) += *reinterpret_cast<const T*>(p[1] + j * st[1]);
      });
    }
  });
}

// out (index's shape) = x[..., index[...], ...] along dim.
void gather(const Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  DimVec xs(x.strides());
  const int64_t step = x.dim() ? x.stride(dim) : 0;
  if (x.dim()) xs[static_cast<int>(dim)] = 0;
  auto plan = make_plan<3>(index.sizes(), {&out, &index, &x},
                           {out.strides().data(), index.strides().data(), xs.data()});
  dispatch_dtype(x.dtype(), "gather", [&]<typename T>() {
    for_each_strided<3>(plan, true, [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        int64_t k = *reinterpret_cast<const int64_t*>(p[1] + i * s[1]);
        *reinterpret_cast<T*>(p[0] + i * s[0]) = reinterpret_cast<const T*>(p[2] + i * s[2])[k * step];
      }
    });
  });
}

void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src, bool accumulate) {
  DimVec os(out.strides());
  const int64_t step = out.dim() ? out.stride(dim) : 0;
  if (out.dim()) os[static_cast<int>(dim)] = 0;
  auto plan = make_plan<3>(index.sizes(), {&out, &index, &src},
                           {os.data(), index.strides().data(), src.strides().data()});
  dispatch_dtype(out.dtype(), "scatter", [&]<typename T>() {
    for_each_strided<3>(plan, false, [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        int64_t k = *reinterpret_cast<const int64_t*>(p[1] + i * s[1]);
        T& dst = reinterpret_cast<T*>(p[0] + i * s[0])[k * step];
        T v = *reinterpret_cast<const T*>(p[2] + i * s[2]);
        if (accumulate)
          dst = static_cast<T>(dst + v);
        else
          dst = v;
      }
    });
  });
}

void masked_select(const Tensor& out, const Tensor& x, const Tensor& mask) {
  auto plan = make_plan<2>(x.sizes(), {&x, &mask}, {x.strides().data(), mask.strides().data()});
  dispatch_dtype(x.dtype(), "masked_select", [&]<typename T>() {
    T* o = out.data_ptr<T>();
    int64_t k = 0;
    for_each_strided<2>(plan, false, [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        if (*reinterpret_cast<const bool*>(p[1] + i * s[1]))
          o[k++] = *reinterpret_cast<const T*>(p[0] + i * s[0]);
    });
  });
}

void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& src) {
  auto plan = make_plan<2>(out.sizes(), {&out, &mask}, {out.strides().data(), mask.strides().data()});
  dispatch_dtype(out.dtype(), "masked_scatter", [&]<typename T>() {
    const T* sv = src.data_ptr<T>();
    int64_t k = 0;
    for_each_strided<2>(plan, false, [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        if (*reinterpret_cast<const bool*>(p[1] + i * s[1])) *reinterpret_cast<T*>(p[0] + i * s[0]) = sv[k++];
    });
  });
}

int64_t count_nonzero(const Tensor& x) {
  int64_t count = 0;
  auto plan = make_plan<1>(x.sizes(), {&x}, {x.strides().data()});
  dispatch_dtype(x.dtype(), "nonzero", [&]<typename T>() {
    for_each_strided<1>(plan, false, [&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) count += *reinterpret_cast<const T*>(p[0] + i * s[0]) != T(0);
    });
  });
  return count;
}

void nonzero(const Tensor& out, const Tensor& x) {
  const int nd = x.dim();
  int64_t* o = out.data_ptr<int64_t>();
  dispatch_dtype(x.dtype(), "nonzero", [&]<typename T>() {
    const T* base = static_cast<const T*>(x.data_ptr());
    int64_t idx[kMaxDims] = {};
    for (int64_t lin = 0; lin < x.numel(); ++lin) {
      int64_t off = 0;
      for (int d = 0; d < nd; ++d) off += idx[d] * x.stride(d);
      if (base[off] != T(0))
        for (int d = 0; d < nd; ++d) *o++ = idx[d];
      for (int d = nd - 1; d >= 0; --d) {
        if (++idx[d] < x.size(d)) break;
        idx[d] = 0;
      }
    }
  });
}

}  // namespace nabla::cpu
