// observer.h — lets a tracer (the ONNX exporter, src/onnx) see every op call on its thread.
//
// Note [Observing ops]
// Every op of the table that can take part in autograd asks should_record() and, when told yes, calls
// record() with its tensor inputs and outputs; custom Functions go through apply_custom(). That is the
// one place all of them pass, so it is where an observer sees them. While an observer is installed
// on a thread, should_record() answers yes there (even under NoGradGuard, even for inputs that do not
// require grad), record() and apply_custom() report the call to the observer, and then attach a
// graph node only when autograd really needs one (grad mode on and an input requiring grad). Ops
// that never ask should_record() (creation ops, comparisons, argmax) are not seen: a tracer treats
// their results as constants. Without an observer the cost is one thread-local read per op.
#pragma once
#include <string>

#include "nabla/ops/op_table.h"
#include "nabla/tensor/tensor.h"

namespace nabla::autograd {

class OpObserver {
 public:
  virtual ~OpObserver() = default;
  // An op of the table ran. `inputs` as the op passed them to record() (an absent optional input,
  // such as a bias, is an undefined Tensor), `outputs` its results.
  virtual void on_op(OpId op, const TensorList& inputs, const TensorList& outputs) = 0;
  // A custom autograd Function (or a fused layer built on one, such as the recurrent layers) ran.
  virtual void on_custom(const std::string& name, const TensorList& inputs, const TensorList& outputs) = 0;
};

// Installs `observer` on the calling thread (nullptr removes it) and returns the previous one.
OpObserver* set_op_observer(OpObserver* observer);
OpObserver* op_observer();

// should_record() as it is without an observer: grad mode on and an input requiring grad.
bool needs_grad(const TensorList& inputs);

}  // namespace nabla::autograd
