#!/usr/bin/python3
"""Generates tests/golden/zoo.json, the oracle for tests/train/models_test.cpp: the architecture of the
tool's model zoo as PyTorch builds it — every leaf module's repr and every parameter's shape — for the
curriculum's FashionCNN and CIFAR ResNet (BasicBlock, [2, 2, 2]), as in
../shared/anchors/torch_workloads.py. Run with Debian's python3-torch:

    /usr/bin/python3 tests/golden/gen_zoo_golden.py

Layout: {"cases": [{"model": "fashion_cnn" | "resnet", "input": [N, C, H, W], "output": [N, classes],
  "modules": {name: repr}, "params": {name: shape}}]}
"""
import os
import torch
import torch.nn as nn
from golden_io import write_cases


class FashionCNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.layer1 = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2, 2))
        s.layer2 = nn.Sequential(nn.Conv2d(32, 64, 3), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        s.fc1 = nn.Linear(64 * 6 * 6, 600); s.drop = nn.Dropout(0.25); s.fc2 = nn.Linear(600, 120); s.fc3 = nn.Linear(120, 10)

    def forward(s, x):
        x = s.layer2(s.layer1(x)).flatten(1)
        return s.fc3(s.fc2(s.drop(s.fc1(x))))


class BasicBlock(nn.Module):
    def __init__(s, i, o, stride=1):
        super().__init__()
        s.conv1 = nn.Conv2d(i, o, 3, stride, 1, bias=False); s.bn1 = nn.BatchNorm2d(o)
        s.conv2 = nn.Conv2d(o, o, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(o)
        s.shortcut = nn.Sequential()
        if stride != 1 or i != o:
            s.shortcut = nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False), nn.BatchNorm2d(o))


class ResNet(nn.Module):
    def __init__(s, num_classes=10):
        super().__init__(); s.in_planes = 16
        s.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False); s.bn1 = nn.BatchNorm2d(16)
        s.layer1 = s._make_layer(16, 1); s.layer2 = s._make_layer(32, 2); s.layer3 = s._make_layer(64, 2)
        s.linear = nn.Linear(64, num_classes)

    def _make_layer(s, planes, stride):
        layers = []
        for st in [stride, 1]:
            layers.append(BasicBlock(s.in_planes, planes, st)); s.in_planes = planes
        return nn.Sequential(*layers)


def case(name, model, input_shape):
    leaves = {n: repr(m) for n, m in model.named_modules() if n and not list(m.children())}
    params = {n: list(p.shape) for n, p in model.named_parameters()}
    return {"model": name, "input": input_shape, "output": [input_shape[0], 10], "modules": leaves, "params": params}


cases = [case("fashion_cnn", FashionCNN(), [2, 1, 28, 28]), case("resnet", ResNet(), [2, 3, 32, 32])]
write_cases(os.path.join(os.path.dirname(os.path.abspath(__file__)), "zoo.json"), "gen_zoo_golden.py",
            torch.__version__, cases, "model")
