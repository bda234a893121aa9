// loss.h — loss modules: loss(input, target), wrapping nn::functional. Class weights are buffers, as in
// PyTorch (state_dict "weight", "pos_weight"; converted by Module::to).
#pragma once
#include <string>

#include "nabla/nn/functional.h"
#include "nabla/nn/module.h"

namespace nabla::nn {

class Loss : public Module {
 public:
  explicit Loss(std::string reduction) : reduction(std::move(reduction)) {}
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) {
    return traced([&] { return forward(input, target); });
  }
  std::string extra_repr() const override { return reduction == "mean" ? "" : "reduction=" + reduction; }
  std::string reduction;
};

#define NABLA_LOSS(Name, call)                                                          \
  class Name : public Loss {                                                            \
   public:                                                                              \
    explicit Name(std::string reduction = "mean") : Loss(std::move(reduction)) {}       \
    Tensor forward(const Tensor& input, const Tensor& target) override { return call; } \
    std::string name() const override { return #Name; }                                 \
  };
NABLA_LOSS(MSELoss, functional::mse_loss(input, target, reduction))
NABLA_LOSS(L1Loss, functional::l1_loss(input, target, reduction))
#undef NABLA_LOSS

class SmoothL1Loss : public Loss {
 public:
  explicit SmoothL1Loss(std::string reduction = "mean", double beta = 1.0)
      : Loss(std::move(reduction)), beta(beta) {}
  Tensor forward(const Tensor& i, const Tensor& t) override {
    return functional::smooth_l1_loss(i, t, reduction, beta);
  }
  std::string name() const override { return "SmoothL1Loss"; }
  double beta;
};
class HuberLoss : public Loss {
 public:
  explicit HuberLoss(std::string reduction = "mean", double delta = 1.0)
      : Loss(std::move(reduction)), delta(delta) {}
  Tensor forward(const Tensor& i, const Tensor& t) override {
    return functional::huber_loss(i, t, reduction, delta);
  }
  std::string name() const override { return "HuberLoss"; }
  double delta;
};
class BCELoss : public Loss {
 public:
  explicit BCELoss(Tensor weight = {}, std::string reduction = "mean")
      : Loss(std::move(reduction)), weight(register_buffer("weight", std::move(weight))) {}
  Tensor forward(const Tensor& i, const Tensor& t) override {
    return functional::binary_cross_entropy(i, t, weight, reduction);
  }
  std::string name() const override { return "BCELoss"; }
  Tensor weight;
};
class BCEWithLogitsLoss : public Loss {
 public:
  explicit BCEWithLogitsLoss(Tensor weight = {}, std::string reduction = "mean", Tensor pos_weight = {})
      : Loss(std::move(reduction)),
        weight(register_buffer("weight", std::move(weight))),
        pos_weight(register_buffer("pos_weight", std::move(pos_weight))) {}
  Tensor forward(const Tensor& i, const Tensor& t) override {
    return functional::binary_cross_entropy_with_logits(i, t, weight, pos_weight, reduction);
  }
  std::string name() const override { return "BCEWithLogitsLoss"; }
  Tensor weight, pos_weight;
};
struct CrossEntropyLossOptions {
  Tensor weight;
  int64_t ignore_index = -100;
  std::string reduction = "mean";
  double label_smoothing = 0.0;
};
class CrossEntropyLoss : public Loss {
 public:
  explicit CrossEntropyLoss(CrossEntropyLossOptions o = {}) : Loss(o.reduction), options(std::move(o)) {
    options.weight = register_buffer("weight", options.weight);
  }
  Tensor forward(const Tensor& i, const Tensor& t) override {
    return functional::cross_entropy(i, t, options.weight, reduction, options.ignore_index,
                                     options.label_smoothing);
  }
  std::string name() const override { return "CrossEntropyLoss"; }
  CrossEntropyLossOptions options;
};
class NLLLoss : public Loss {
 public:
  explicit NLLLoss(Tensor weight = {}, int64_t ignore_index = -100, std::string reduction = "mean")
      : Loss(std::move(reduction)),
        weight(register_buffer("weight", std::move(weight))),
        ignore_index(ignore_index) {}
  Tensor forward(const Tensor& i, const Tensor& t) override {
    return functional::nll_loss(i, t, weight, reduction, ignore_index);
  }
  std::string name() const override { return "NLLLoss"; }
  Tensor weight;
  int64_t ignore_index;
};
class KLDivLoss : public Loss {
 public:
  explicit KLDivLoss(std::string reduction = "mean", bool log_target = false)
      : Loss(std::move(reduction)), log_target(log_target) {}
  Tensor forward(const Tensor& i, const Tensor& t) override {
    return functional::kl_div(i, t, reduction, log_target);
  }
  std::string name() const override { return "KLDivLoss"; }
  bool log_target;
};

}  // namespace nabla::nn
