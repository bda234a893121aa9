// pretrained.cpp — see pretrained.h.
#include "nabla/train/pretrained.h"

#include "nabla/io/pt.h"
#include "train/run_metadata.h"
#include "util/check.h"

namespace nabla::training {

namespace {
bool under(const std::string& name, const std::string& prefix) {
  return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
         name[prefix.size()] == '.';
}
std::string shape_text(const Tensor& t) { return fmt::format("[{}]", fmt::join(t.sizes().vec(), ", ")); }
}  // namespace

nn::NamedTensors load_state_dict_file(const std::string& path) {
  // io::load_state_dict tells the formats apart by content: a torch.save .pt (zip or legacy) or
  // safetensors. A `nabla train` checkpoint's optimizer tensors are not part of the model.
  nn::NamedTensors out;
  for (const auto& [name, t] : io::load_state_dict(path))
    if (name.rfind(detail::kOptimPrefix, 0) != 0) out.insert(name, t);
  return out;
}

PretrainedReport load_pretrained(nn::Module& model, const nn::NamedTensors& state,
                                 const std::string& classifier) {
  PretrainedReport report;
  std::vector<std::string> missing, unexpected, reshaped;
  const nn::NamedTensors own = model.state_dict();
  nn::NamedTensors kept;
  for (const auto& [name, t] : state) {
    const Tensor* mine = own.find(name);
    if (!mine) {
      unexpected.push_back(name);
    } else if (mine->sizes() == t.sizes()) {
      kept.insert(name, t);
    } else if (under(name, classifier)) {  // another num_classes: the head starts afresh
      report.skipped.push_back(
          fmt::format("{} {} (the model's is {})", name, shape_text(t), shape_text(*mine)));
      kept.insert(name, *mine);
    } else {
      reshaped.push_back(fmt::format("{} {} (the model's is {})", name, shape_text(t), shape_text(*mine)));
    }
  }
  for (const auto& [name, t] : own)
    if (!state.contains(name)) missing.push_back(name);
  // One line, however many tensors differ (a whole other architecture: hundreds).
  auto some = [](const std::vector<std::string>& v) {
    if (v.empty()) return std::string("0");
    std::vector<std::string> first(v.begin(),
                                   v.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(v.size(), 2)));
    return fmt::format("{} ({}{})", v.size(), fmt::join(first, ", "), v.size() > 2 ? ", ..." : "");
  };
  NABLA_CHECK(missing.empty() && unexpected.empty() && reshaped.empty(), ValueError,
              "the state_dict does not fit the {} model: {} missing, {} unexpected, {} of another shape",
              model.name(), some(missing), some(unexpected), some(reshaped));
  model.load_state_dict(kept);
  return report;
}

void freeze_backbone(nn::Module& model, const std::string& classifier) {
  nn::Module* head = nullptr;
  for (auto& [name, m] : model.named_modules())
    if (name == classifier) head = m;
  NABLA_CHECK(head != nullptr, ValueError, "freeze backbone: the model has no submodule '{}'", classifier);
  model.freeze();
  head->unfreeze();
}

}  // namespace nabla::training
