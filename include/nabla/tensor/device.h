// device.h — where a tensor lives. CPU today; the dispatch table has a CUDA slot for later.
#pragma once
#include <cstdint>
#include <string>

namespace nabla {

enum class DeviceType : int8_t { CPU = 0, CUDA = 1 };
inline constexpr int kNumDeviceTypes = 2;

class Device {
 public:
  Device(DeviceType type = DeviceType::CPU, int index = -1);  // NOLINT
  // "cpu", "cuda", "cuda:1". Throws DeviceError for a device this build cannot use.
  Device(const std::string& spec);                         // NOLINT
  Device(const char* spec) : Device(std::string(spec)) {}  // NOLINT
  DeviceType type() const { return type_; }
  int index() const { return index_; }
  bool is_cpu() const { return type_ == DeviceType::CPU; }
  std::string str() const;
  bool operator==(const Device& o) const { return type_ == o.type_ && index_ == o.index_; }

 private:
  DeviceType type_;
  int index_;
};

inline const Device kCPU{DeviceType::CPU};
bool cuda_is_available();  // false in a build without CUDA

}  // namespace nabla
