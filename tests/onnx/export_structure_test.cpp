// The exported graphs read back with the protobuf API: op types in order, initializers named after
// the state_dict (and holding its values), opset, the symbolic batch dim, node attributes.
#include <cstring>

#include "onnx_test_util.h"
#include "seed_models.h"

using namespace nabla;
using namespace nabla::onnx_test;
using training::ModelConfig;

namespace {

// state_dict names, less the counters inference does not read.
std::set<std::string> state_names(const nn::Module& m) {
  std::set<std::string> names;
  for (const auto& item : m.state_dict())
    if (item.key().find("num_batches_tracked") == std::string::npos) names.insert(item.key());
  return names;
}

void expect_same_values(const ::onnx::ModelProto& m, const std::string& name, const Tensor& t) {
  const auto* p = initializer(m, name);
  ASSERT_NE(p, nullptr) << name;
  EXPECT_TRUE(equal(initializer_tensor(*p), t.contiguous())) << name;
}

}  // namespace

TEST(OnnxExport, MlpGraph) {
  auto model = training::build_model({.name = "mlp", .n_layers = 2});
  auto m = export_parsed(*model, randn({2, 1, 28, 28}));
  EXPECT_EQ(m.producer_name(), "nabla");
  EXPECT_EQ(m.ir_version(), 7);
  ASSERT_EQ(m.opset_import_size(), 1);
  EXPECT_EQ(m.opset_import(0).domain(), "");
  EXPECT_EQ(m.opset_import(0).version(), 13);
  EXPECT_EQ(op_types(m), (std::vector<std::string>{"Flatten", "Gemm", "LeakyRelu", "BatchNormalization",
                                                   "Gemm", "LeakyRelu", "BatchNormalization", "Gemm"}));
  EXPECT_EQ(initializer_names(m), state_names(*model));
  ASSERT_EQ(m.graph().input_size(), 1);
  EXPECT_EQ(m.graph().input(0).name(), "input");
  EXPECT_EQ(dims(m.graph().input(0)), (std::vector<std::string>{"batch", "1", "28", "28"}));
  EXPECT_EQ(dims(m.graph().output(0)), (std::vector<std::string>{"batch", "10"}));
  EXPECT_EQ(m.graph().output(0).name(), "output");
  for (const auto& item : model->state_dict())
    if (item.key().find("num_batches_tracked") == std::string::npos)
      expect_same_values(m, item.key(), item.value());
  // Linear is Gemm against the [out, in] weight.
  EXPECT_EQ(int_attr(first_of(m, "Gemm"), "transB"), 1);
  EXPECT_NEAR(first_of(m, "LeakyRelu").attribute(0).f(), 0.01, 1e-9);
}

TEST(OnnxExport, FashionCnnGraph) {
  auto model = training::build_model({.name = "fashion_cnn"});
  auto m = export_parsed(*model, randn({2, 1, 28, 28}));
  // Dropout is gone (eval mode); layer2's flatten is a Flatten(axis 1).
  EXPECT_EQ(op_types(m), (std::vector<std::string>{"Conv", "BatchNormalization", "Relu", "MaxPool", "Conv",
                                                   "BatchNormalization", "Relu", "MaxPool", "Flatten", "Gemm",
                                                   "Gemm", "Gemm"}));
  EXPECT_EQ(initializer_names(m), state_names(*model));
  const auto& c1 = node_named(m, "layer1.0");
  EXPECT_EQ(ints(c1, "pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(ints(c1, "strides"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(ints(c1, "kernel_shape"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(std::vector<std::string>(c1.input().begin(), c1.input().end()),
            (std::vector<std::string>{"input", "layer1.0.weight", "layer1.0.bias"}));
  EXPECT_EQ(ints(node_named(m, "layer2.0"), "pads"), (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(ints(node_named(m, "layer1.3"), "kernel_shape"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(int_attr(node_named(m, "layer1.3"), "ceil_mode"), 0);
  EXPECT_NEAR(attr(node_named(m, "layer1.1"), "epsilon")->f(), 1e-5, 1e-10);
  EXPECT_EQ(dims(m.graph().output(0)), (std::vector<std::string>{"batch", "10"}));
}

TEST(OnnxExport, ResnetGraph) {
  auto model = training::build_model({.name = "resnet", .in_channels = 3, .height = 32, .width = 32});
  auto m = export_parsed(*model, randn({2, 3, 32, 32}));
  EXPECT_EQ(count(m, "Conv"), 15);  // the stem, 2 per block, 2 shortcuts
  EXPECT_EQ(count(m, "BatchNormalization"), 15);
  EXPECT_EQ(count(m, "Add"), 6);  // residual sums (functional glue, seen as ops)
  EXPECT_EQ(count(m, "Relu"), 13);
  EXPECT_EQ(count(m, "GlobalAveragePool"), 1);  // F::adaptive_avg_pool2d(out, {1, 1})
  EXPECT_EQ(count(m, "Transpose"), 0);          // channels-last is a layout, not an op
  EXPECT_EQ(initializer_names(m), state_names(*model));
  const auto& down = node_named(m, "layer2.0.conv1");
  EXPECT_EQ(ints(down, "strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(ints(down, "pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  const auto& shortcut = node_named(m, "layer2.0.shortcut.0");
  EXPECT_EQ(ints(shortcut, "kernel_shape"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(ints(shortcut, "strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(shortcut.input_size(), 2);  // bias = false: no bias input
  EXPECT_EQ(op_types(m).back(), "Gemm");
}

TEST(OnnxExport, GruClassifierGraph) {
  onnx_test::GRUClassifier model;
  auto m = export_parsed(model, randint(0, 500, {2, 12}));
  EXPECT_EQ(op_types(m), (std::vector<std::string>{"Gather", "Transpose", "GRU", "Reshape", "Transpose",
                                                   "Identity", "Gather", "Gemm"}));
  EXPECT_EQ(m.graph().input(0).type().tensor_type().elem_type(), ::onnx::TensorProto::INT64);
  EXPECT_EQ(dims(m.graph().input(0)), (std::vector<std::string>{"batch", "12"}));
  const auto& gru = first_of(m, "GRU");
  EXPECT_EQ(int_attr(gru, "hidden_size"), 48);
  EXPECT_EQ(int_attr(gru, "linear_before_reset"), 1);  // PyTorch's GRU
  EXPECT_EQ(attr(gru, "direction")->s(), "forward");
  EXPECT_EQ(initializer_names(m),
            (std::set<std::string>{"embed.weight", "gru.onnx_W_l0", "gru.onnx_R_l0", "gru.onnx_B_l0",
                                   "out.weight", "out.bias", "index", "shape"}));
  // ONNX's gate order is z, r, h; PyTorch's r, z, n.
  auto params = model.named_parameters();
  Tensor W = initializer_tensor(*initializer(m, "gru.onnx_W_l0"));
  ASSERT_EQ(W.sizes().vec(), (std::vector<int64_t>{1, 144, 32}));
  Tensor w_ih = params["gru.weight_ih_l0"];
  EXPECT_TRUE(equal(W[0].narrow(0, 0, 48), w_ih.narrow(0, 48, 48)));
  EXPECT_TRUE(equal(W[0].narrow(0, 48, 48), w_ih.narrow(0, 0, 48)));
  EXPECT_TRUE(equal(W[0].narrow(0, 96, 48), w_ih.narrow(0, 96, 48)));
  Tensor B = initializer_tensor(*initializer(m, "gru.onnx_B_l0"));
  EXPECT_TRUE(equal(B[0].narrow(0, 144 + 48, 48), params["gru.bias_hh_l0"].narrow(0, 0, 48)));
  // h[:, -1, :] is a Gather of the last step on axis 1.
  const auto& last = node_named(m, "Gather");
  EXPECT_EQ(int_attr(last, "axis"), 1);
  EXPECT_EQ(initializer(m, last.input(1))->raw_data().size(), 8u);
}

TEST(OnnxExport, LstmClassifierGraph) {
  onnx_test::LSTMClassifier model;
  auto m = export_parsed(model, randint(0, 500, {2, 12}));
  EXPECT_EQ(count(m, "LSTM"), 2);
  const auto& l0 = first_of(m, "LSTM");
  EXPECT_EQ(attr(l0, "direction")->s(), "bidirectional");
  EXPECT_EQ(std::vector<int64_t>(initializer(m, "lstm.onnx_W_l1")->dims().begin(),
                                 initializer(m, "lstm.onnx_W_l1")->dims().end()),
            (std::vector<int64_t>{2, 96, 48}));  // both directions, 4 gates, input = 2 x hidden
  // ONNX's LSTM gates are i, o, f, c; PyTorch's i, f, g, o.
  Tensor W = initializer_tensor(*initializer(m, "lstm.onnx_R_l0"));
  Tensor w_hh = model.named_parameters()["lstm.weight_hh_l0_reverse"];
  EXPECT_TRUE(equal(W[1].narrow(0, 24, 24), w_hh.narrow(0, 72, 24)));
}

TEST(OnnxExport, AutoencoderGraph) {
  onnx_test::AE model;
  auto m = export_parsed(model, rand({2, 784}));
  EXPECT_EQ(count(m, "Gemm"), 8);
  EXPECT_EQ(count(m, "Relu"), 6);
  EXPECT_EQ(op_types(m).back(), "Sigmoid");
  EXPECT_EQ(initializer_names(m), state_names(model));
  EXPECT_EQ(dims(m.graph().output(0)), (std::vector<std::string>{"batch", "784"}));
}

TEST(OnnxExport, KitchenSinkAttributes) {
  onnx_test::KitchenSink model;
  auto m = export_parsed(model, randn({2, 3, 16, 16}));
  const auto& up = node_named(m, "up");
  EXPECT_EQ(up.op_type(), "Resize");
  EXPECT_EQ(attr(up, "mode")->s(), "nearest");
  EXPECT_EQ(attr(up, "nearest_mode")->s(), "floor");
  EXPECT_EQ(int_attr(node_named(m, "conv2"), "group"), 2);
  EXPECT_EQ(int_attr(first_of(m, "Concat"), "axis"), 1);
  EXPECT_EQ(int_attr(first_of(m, "Softmax"), "axis"), 1);  // the last node: named "output"
  EXPECT_EQ(node_named(m, "clip").op_type(), "Clip");
  EXPECT_EQ(count(m, "AveragePool"), 2);  // the module, and F::adaptive_avg_pool2d(4x4 -> 2x2)
}

TEST(OnnxExport, FixedBatchAndBatchDim) {
  auto model = training::build_model({.name = "fashion_cnn"});
  auto fixed = export_parsed(*model, randn({2, 1, 28, 28}), {.dynamic_batch = false});
  EXPECT_EQ(dims(fixed.graph().input(0)), (std::vector<std::string>{"2", "1", "28", "28"}));
  EXPECT_EQ(dims(fixed.graph().output(0)), (std::vector<std::string>{"2", "10"}));
  // A sequence-first GRU: the batch is dim 1 of the input and of both results.
  nn::GRU gru(4, 5, {.num_layers = 2});
  auto m = parse(nabla::onnx::export_to_string(gru,
                                               [&](const TensorList& in) {
                                                 auto [y, h] = gru(in[0]);
                                                 return TensorList{y, h};
                                               },
                                               {randn({6, 2, 4})},
                                               {.output_names = {"y", "h_n"}, .batch_dim = 1}));
  EXPECT_EQ(dims(m.graph().input(0)), (std::vector<std::string>{"6", "batch", "4"}));
  EXPECT_EQ(dims(m.graph().output(0)), (std::vector<std::string>{"6", "batch", "5"}));
  EXPECT_EQ(dims(m.graph().output(1)), (std::vector<std::string>{"2", "batch", "5"}));
  EXPECT_EQ(count(m, "GRU"), 2);
  EXPECT_EQ(count(m, "Concat"), 1);  // h_n of the two layers
}

TEST(OnnxExport, OpsetAndMetadata) {
  nn::Linear fc(3, 2);
  auto m = export_parsed(fc, randn({2, 3}), {.opset_version = 17, .metadata = {{"nabla.mean", "0.5"}}});
  EXPECT_EQ(m.opset_import(0).version(), 17);
  EXPECT_EQ(m.ir_version(), 8);
  ASSERT_EQ(m.metadata_props_size(), 1);
  EXPECT_EQ(m.metadata_props(0).key(), "nabla.mean");
  EXPECT_EQ(op_types(m), (std::vector<std::string>{"Gemm"}));
  EXPECT_EQ(initializer_names(m), (std::set<std::string>{"weight", "bias"}));
}

TEST(OnnxExport, MoreLayersAttributes) {
  onnx_test::MoreLayers model;
  auto m = export_parsed(model, randn({2, 4, 8, 8}));
  const auto& up_conv = node_named(m, "up_conv");
  EXPECT_EQ(up_conv.op_type(), "ConvTranspose");
  EXPECT_EQ(ints(up_conv, "output_padding"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(ints(up_conv, "strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(ints(node_named(m, "conv"), "pads"), (std::vector<int64_t>{1, 1, 1, 1}));  // padding "same"
  EXPECT_EQ(ints(node_named(m, "conv1d"), "pads"), (std::vector<int64_t>{2, 2}));
  // PReLU's per-channel slope keeps its state_dict name, shaped to broadcast over [N, C, H, W].
  const auto* slope = initializer(m, "prelu.weight");
  ASSERT_NE(slope, nullptr);
  EXPECT_EQ(std::vector<int64_t>(slope->dims().begin(), slope->dims().end()),
            (std::vector<int64_t>{6, 1, 1}));
  const auto& up = node_named(m, "up");
  EXPECT_EQ(attr(up, "mode")->s(), "linear");
  EXPECT_EQ(attr(up, "coordinate_transformation_mode")->s(), "pytorch_half_pixel");
  EXPECT_EQ(count(m, "Erf"), 1);  // GELU without approximation
  EXPECT_NEAR(attr(node_named(m, "elu"), "alpha")->f(), 0.5, 1e-7);
  EXPECT_EQ(initializer_names(m).count("up_conv.weight"), 1u);
}

TEST(OnnxExport, ReductionsGraph) {
  onnx_test::Reductions model;
  auto m = export_parsed(model, randn({2, 8, 4, 4}));
  const auto& shuffle = node_named(m, "shuffle");
  EXPECT_EQ(shuffle.op_type(), "DepthToSpace");
  EXPECT_EQ(attr(shuffle, "mode")->s(), "CRD");
  EXPECT_EQ(int_attr(shuffle, "blocksize"), 2);
  // mean: ReduceSum over (2, 3) keeping dims, then a division; amax: ReduceMax without them.
  const auto& sum = first_of(m, "ReduceSum");
  EXPECT_EQ(initializer_ints(m, sum.input(1)), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(int_attr(sum, "keepdims"), 1);
  EXPECT_EQ(ints(first_of(m, "ReduceMax"), "axes"), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(int_attr(first_of(m, "ReduceMax"), "keepdims"), 0);
  EXPECT_EQ(count(m, "ReduceMean"), 2);                    // LayerNorm: mean and variance
  EXPECT_EQ(int_attr(first_of(m, "Softmax"), "axis"), 1);  // softmax(x, -1) recovered as dim 1
}
