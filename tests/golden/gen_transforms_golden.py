#!/usr/bin/python3
"""Golden cases for nabla's image transforms (tests/data/transforms_test.cpp).

torchvision is not packaged in Debian 12, so this reproduces torchvision 0.14's *tensor* code paths
(torchvision/transforms/functional_tensor.py) with plain PyTorch ops: resize is F.interpolate with
antialias=False, rotate is _gen_affine_grid + grid_sample, the colour ops are _blend and _rgb2gray.
uint8 images are stored HWC (nabla's uint8 layout) and converted to CHW for torch.

Run with Debian's python3-torch:  /usr/bin/python3 tests/golden/gen_transforms_golden.py
Writes tests/golden/transforms.json.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def enc(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
            "data": [float("%.8g" % v) for v in t.flatten().tolist()]}


def u8_image(h, w, c):
    return torch.randint(0, 256, (h, w, c), dtype=torch.uint8)


def f_image(c, h, w):
    return torch.rand(c, h, w, dtype=torch.float32)


def chw(img):  # nabla layout -> torchvision CHW
    return img.permute(2, 0, 1) if img.dtype == torch.uint8 else img


def back(out, like):  # torchvision CHW -> nabla layout/dtype
    if like.dtype == torch.uint8:
        return out.permute(1, 2, 0).contiguous()
    return out


def cast_out(x, dtype, rounding):
    if dtype == torch.uint8:
        x = torch.round(x) if rounding else x
        return x.to(torch.uint8)
    return x


def resize(img, h, w, mode):
    x = chw(img).to(torch.float32).unsqueeze(0)
    kw = {"align_corners": False, "antialias": False} if mode == "bilinear" else {}
    y = F.interpolate(x, size=[h, w], mode=mode, **kw)[0]
    return back(cast_out(y, img.dtype, True), img)


def rotate(img, angle, mode):
    x = chw(img).to(torch.float32).unsqueeze(0)
    _, _, h, w = x.shape
    rot = math.radians(-angle)
    a, b, c, d = math.cos(rot), -math.sin(rot), math.sin(rot), math.cos(rot)
    matrix = [d, -b, 0.0, -c, a, 0.0]
    theta = torch.tensor(matrix, dtype=torch.float32).reshape(1, 2, 3)
    base = torch.empty(1, h, w, 3, dtype=torch.float32)
    base[..., 0].copy_(torch.linspace(-w * 0.5 + 0.5, w * 0.5 + 0.5 - 1, steps=w))
    base[..., 1].copy_(torch.linspace(-h * 0.5 + 0.5, h * 0.5 + 0.5 - 1, steps=h).unsqueeze_(-1))
    base[..., 2].fill_(1)
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=torch.float32)
    grid = base.view(1, h * w, 3).bmm(rescaled).view(1, h, w, 2)
    y = F.grid_sample(x, grid, mode=mode, padding_mode="zeros", align_corners=False)[0]
    return back(cast_out(y, img.dtype, True), img)


def bound(img):
    return 255.0 if img.dtype == torch.uint8 else 1.0


def blend(img1, img2, ratio, dtype):
    out = (ratio * img1 + (1.0 - ratio) * img2).clamp(0, 255.0 if dtype == torch.uint8 else 1.0)
    return out.to(dtype)


def gray(x):  # x CHW in its own dtype
    r, g, b = x.unbind(dim=-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(x.dtype).unsqueeze(dim=-3)


def brightness(img, f):
    x = chw(img)
    return back(blend(x, torch.zeros_like(x), f, x.dtype), img)


def contrast(img, f):
    x = chw(img)
    mean = torch.mean(gray(x).to(torch.float32), dim=(-3, -2, -1), keepdim=True)
    return back(blend(x, mean, f, x.dtype), img)


def saturation(img, f):
    x = chw(img)
    return back(blend(x, gray(x), f, x.dtype), img)


def grayscale(img, n):
    g = gray(chw(img))
    return back(g.expand(n, -1, -1).contiguous(), img)


def center_crop(img, ch, cw):
    x = chw(img)
    h, w = x.shape[-2:]
    if ch > h or cw > w:
        pl, pt = (cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0
        pr, pb = (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0
        x = F.pad(x, [pl, pr, pt, pb], value=0)
        h, w = x.shape[-2:]
    top, left = int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0))
    return back(x[..., top:top + ch, left:left + cw].contiguous(), img)


def main():
    cases = []

    def add(name, op, img, out, **params):
        cases.append({"name": name, "op": op, "params": params, "input": enc(img), "output": enc(out)})

    u = u8_image(7, 9, 3)
    f = f_image(3, 7, 9)
    u_big = u8_image(16, 13, 3)
    for (h, w) in [(5, 4), (13, 17), (7, 18), (3, 9)]:
        add(f"resize_bilinear_u8_{h}x{w}", "resize_bilinear", u, resize(u, h, w, "bilinear"), h=h, w=w)
        add(f"resize_nearest_u8_{h}x{w}", "resize_nearest", u, resize(u, h, w, "nearest"), h=h, w=w)
        add(f"resize_bilinear_f32_{h}x{w}", "resize_bilinear", f, resize(f, h, w, "bilinear"), h=h, w=w)
        add(f"resize_nearest_f32_{h}x{w}", "resize_nearest", f, resize(f, h, w, "nearest"), h=h, w=w)
    add("resize_bilinear_u8_down", "resize_bilinear", u_big, resize(u_big, 6, 5, "bilinear"), h=6, w=5)
    for angle in [30.0, -75.0]:
        add(f"rotate_nearest_u8_{angle}", "rotate_nearest", u_big, rotate(u_big, angle, "nearest"), angle=angle)
        add(f"rotate_nearest_f32_{angle}", "rotate_nearest", f, rotate(f, angle, "nearest"), angle=angle)
    for fac in [0.4, 1.3]:
        for img, tag in [(u, "u8"), (f, "f32")]:
            add(f"brightness_{tag}_{fac}", "brightness", img, brightness(img, fac), factor=fac)
            add(f"contrast_{tag}_{fac}", "contrast", img, contrast(img, fac), factor=fac)
            add(f"saturation_{tag}_{fac}", "saturation", img, saturation(img, fac), factor=fac)
    for img, tag in [(u, "u8"), (f, "f32")]:
        add(f"grayscale1_{tag}", "grayscale", img, grayscale(img, 1), channels=1)
        add(f"grayscale3_{tag}", "grayscale", img, grayscale(img, 3), channels=3)
        for (ch, cw) in [(4, 5), (3, 4), (10, 12)]:
            add(f"center_crop_{tag}_{ch}x{cw}", "center_crop", img, center_crop(img, ch, cw), h=ch, w=cw)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    norm = (f - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    add("normalize", "normalize", f, norm, mean=mean, std=std)
    add("to_tensor", "to_tensor", u, u.permute(2, 0, 1).to(torch.float32).div(255))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transforms.json")
    with open(out, "w") as fh:
        json.dump({"generator": "tests/golden/gen_transforms_golden.py", "torch": torch.__version__,
                   "cases": cases}, fh, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
