// std_function.h — std::function for nabla's public headers, without the rest of <functional>.
//
// Note [std::function without <functional>]
// In C++20, libstdc++'s <functional> also brings <unordered_map>, <array>, the algorithms and the
// searchers: about 5% of the work (GCC's memory) of compiling every program that includes <torch/torch.h>
// (docs/libtorch.md, "Compile time"), for headers that only declare std::function members and
// parameters. libstdc++ keeps std::function in <bits/std_function.h>, which <functional> includes;
// elsewhere this is <functional>. Code that uses std::bind, std::invoke, std::ref, ... includes
// <functional> itself, as the standard asks.
#pragma once
#include <version>  // __GLIBCXX__

#if defined(__GLIBCXX__) && __has_include(<bits/std_function.h>)
#include <bits/std_function.h>
#else
#include <functional>
#endif
