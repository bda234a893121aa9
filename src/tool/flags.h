// flags.h — validators and error hints for the `nabla` tool's command line (CLI11): integer flags in a
// range with one short message, non-empty paths, and "did you mean ...?" for mistyped commands and
// flags.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace nabla::tool {

// An integer in [lo, hi]; anything else (a fraction, 2^64, -1 for an unsigned flag) is refused with
// "must be an integer from lo to hi, got 'x'".
CLI::Validator int_in(int64_t lo, int64_t hi);
// 0 (off) or an integer in [lo, hi] (--kfold: one fold cannot cross-validate).
CLI::Validator zero_or_in(int64_t lo, int64_t hi);
// Any uint64 (the seed): refuses negatives and values above 2^64 - 1.
CLI::Validator uint64_value();
// A finite number > 0 (the learning rate).
CLI::Validator positive_real();
// A non-empty path.
CLI::Validator non_empty();

// The closest of `known` to `word` when it is close enough to be a typo (or contains/is contained
// in it), else "".
std::string closest(const std::string& word, const std::vector<std::string>& known);
// " (did you mean --n_epochs?)" for the first unknown flag in a CLI11 "not expected" message, or "".
std::string flag_hint(const std::string& message, const CLI::App* command);
// The subcommand names of `app`.
std::vector<std::string> command_names(const CLI::App& app);

}  // namespace nabla::tool
