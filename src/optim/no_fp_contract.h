// no_fp_contract.h — include (after other headers) in sources whose float64 arithmetic must equal
// Python's operation for operation: Python never fuses a * b + c (Note [Exact schedules]).
#pragma once
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
