// workloads.h — what nabla-bench's workload files share: the timing loop, the classifier training step,
// and the workloads themselves (one function each, listed once in workloads.cpp's registry).
#pragma once
#include <nabla/nabla.h>

#include <functional>

namespace nabla::bench {

// How long each workload is timed (--seconds).
extern double g_seconds;
// --distributed 1 (under mpirun): classify() trains this process's share of each batch through
// DistributedDataParallel, and timed() stops when rank 0's clock says so; items/s are the whole job's.
extern bool g_distributed;

// Items per second of `step`, which processes `batch` items per call: 3 warm-up calls, then as many
// calls as fit in g_seconds.
double timed(const std::function<void()>& step, double batch);

// One optimizer step of cross-entropy training on a fixed batch (m is put in training mode).
std::function<void()> classify(nn::Module& m, const Tensor& x, const Tensor& y, optim::Optimizer& opt);

// ../shared/anchors/torch_workloads.py's workloads (workloads.cpp).
double mlp();
double cnn();
double resnet();
double gru();
double ae();
double mlp_infer();
double op_overhead();
double gemm();

// The curriculum's other chapters (workloads_curriculum.cpp), as in bench/torch_workloads_more.py.
double resnet_infer();
double seq2seq();
double cgan();
double dqn();
double gcn();
double dataloader_fashion();

}  // namespace nabla::bench
