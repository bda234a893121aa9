// float_mode.h — the flush-denormal mode of torch.set_flush_denormal, for every thread that runs kernels.
#pragma once

namespace nabla::cpu {

// Sets this thread's floating-point control (x86 MXCSR FTZ+DAZ) to the mode last given to
// nabla::set_flush_denormal. Threads nabla owns call it before work (the helper thread per job).
void apply_float_mode();

}  // namespace nabla::cpu
