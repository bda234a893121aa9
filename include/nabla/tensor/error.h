// error.h — every user error nabla raises derives from nabla::Error.
// Messages name the op and the offending shapes/dtypes, e.g.
//   "add: shapes [2, 3] and [4] are not broadcastable".
#pragma once
#include <stdexcept>
#include <string>

namespace nabla {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  // Prefixes `context` to the message, keeping the exception's type: a failing module's forward
  // names the module path this way ("layer2.0.conv1 (Conv2d): ...", Note [Module call path]).
  void add_context(const std::string& context) {
    std::runtime_error::operator=(std::runtime_error(context + what()));
  }
};
class ShapeError : public Error {
 public:
  using Error::Error;
};  // incompatible shapes
class DTypeError : public Error {
 public:
  using Error::Error;
};  // unsupported / mismatched dtype
class IndexError : public Error {
 public:
  using Error::Error;
};  // dim or index out of range
class ValueError : public Error {
 public:
  using Error::Error;
};  // bad argument value
class DeviceError : public Error {
 public:
  using Error::Error;
};  // device not available
class AutogradError : public Error {
 public:
  using Error::Error;
};  // graph misuse
class IOError : public Error {
 public:
  using Error::Error;
};  // files and formats
class NotImplementedError : public Error {
 public:
  using Error::Error;
};
class OutOfMemoryError : public Error {
 public:
  using Error::Error;
};  // an allocation the machine cannot serve
class DistributedError : public Error {
 public:
  using Error::Error;
};  // a collective or the process group failed (PyTorch's DistBackendError)

}  // namespace nabla
