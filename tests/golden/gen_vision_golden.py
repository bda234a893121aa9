#!/usr/bin/python3
"""torchvision's models as the oracle for nabla::vision::models (Debian's python3-torchvision 0.14, random
weights: nothing is downloaded). Two modes:

    /usr/bin/python3 tests/golden/gen_vision_golden.py
        writes tests/golden/vision.json (committed; tests/vision/models_test.cpp): per model, the
        state_dict's names and shapes in order, every module's name and class in named_modules() order,
        and the logits' shape for an input [2, 3, 64, 64] (num_classes = 10).

    /usr/bin/python3 tests/golden/gen_vision_golden.py --weights DIR --model resnet18 [--input 2,3,64,64]
        writes DIR/resnet18.pt (torch.save of the state_dict of a torchvision model with random weights and
        random BatchNorm statistics, num_classes = 10) and DIR/resnet18.io.safetensors ("input" and the
        eval-mode "logits"); run at test time by tests/vision/torchvision_test.cpp (the weights are too
        big to commit: resnet18 alone is 45 MB). Exits 77 when torch or torchvision is missing.

Deterministic: each model seeds torch from its name (and the input shape).
"""
import argparse
import os
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "golden", "vision.json")
NUM_CLASSES = 10

# Every model nabla::vision::models builds (keep in sync with src/vision/catalog.cpp).
MODELS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
          "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
          "mobilenet_v2", "alexnet"]


def seed(*parts):
    torch.manual_seed(zlib.crc32("/".join(map(str, parts)).encode()))


def build(name):
    seed(name)
    return torchvision.models.get_model(name, num_classes=NUM_CLASSES)


def randomize(model):
    """Every parameter and buffer random, so that no value is left at torchvision's init constants:
    BatchNorm's weight, bias and running statistics too (eval mode then really uses them)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, ())))
            elif isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) and m.bias is not None:
                m.bias.uniform_(-0.1, 0.1)


def write_golden():
    from golden_io import write_cases
    cases = []
    for name in MODELS:
        model = build(name).eval()
        shape = [2, 3, 64, 64]
        with torch.no_grad():
            out = model(torch.randn(shape))
        cases.append({"model": name, "num_classes": NUM_CLASSES, "input": shape, "output": list(out.shape),
                      "state": [[k, list(v.shape)] for k, v in model.state_dict().items()],
                      "modules": [[k, type(m).__name__] for k, m in model.named_modules()]})
    write_cases(OUT, "gen_vision_golden.py", "torch %s, torchvision %s" % (torch.__version__, torchvision.__version__),
                cases, "model")


def write_weights(out_dir, name, input_shape):
    from safetensors_writer import save_file
    model = build(name)
    seed(name, "randomize")
    randomize(model)
    model.eval()
    seed(name, "input", *input_shape)
    x = torch.randn(input_shape)
    with torch.no_grad():
        logits = model(x)
    os.makedirs(out_dir, exist_ok=True)
    # The way a user has torchvision weights: torch.save of the state_dict (the .pth files torchvision
    # downloads are the same format).
    torch.save(model.state_dict(), os.path.join(out_dir, name + ".pt"))
    save_file({"input": x, "logits": logits}, os.path.join(out_dir, name + ".io.safetensors"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--weights", help="write one model's state_dict, input and logits into this directory")
    p.add_argument("--model", choices=MODELS)
    p.add_argument("--input", default="2,3,64,64", help="input shape N,C,H,W")
    a = p.parse_args()
    if a.weights:
        if not a.model:
            p.error("--weights needs --model")
        write_weights(a.weights, a.model, [int(s) for s in a.input.split(",")])
    else:
        write_golden()


if __name__ == "__main__":
    try:
        import torch
        import torchvision
    except ImportError as e:  # the test that runs this skips (CTest: skipped, not failed)
        print("gen_vision_golden.py: %s (apt-get install python3-torchvision)" % e, file=sys.stderr)
        sys.exit(77)
    main()
