"""Image (PNG, JPEG, BMP, others) mutants for predict and for an image-folder data set, and IDX mutants
(plain and gzip) for the MNIST data set."""
import base64
import gzip
import os
import re
import shutil
import struct
import zlib

from runner import Case
from setup import bmp, png

# A 543-byte baseline JPEG (CPython's Lib/test/imghdrdata/python.jpg), so that no encoder is needed.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8Q"
    "EBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
    "EBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQID"
    "BAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/EACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/"
    "2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPkJWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx"
    "4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+"
    "Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolv"
    "w4KOp1KM6iCNvngZHwetf//Z")


def chunks(p):
    """(offset, kind) of each PNG chunk."""
    out, pos = [], 8
    while pos + 8 <= len(p):
        (length,) = struct.unpack(">I", p[pos:pos + 4])
        out.append((pos, p[pos + 4:pos + 8], length))
        pos += 12 + length
    return out


def png_with(w, h, depth=8, color=0, idat=None, extra=b"", interlace=0):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    if idat is None:
        idat = zlib.compress(b"".join(b"\0" + b"\x80" * w for _ in range(h)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, interlace)) +
            extra + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def image_mutants(rng, good_png, good_bmp):
    """(category, name, bytes, ext, expect)."""
    out = []
    # PNG: cut at each chunk boundary (+-1) and at random points; random bit flips (CRC'd: all refused).
    cuts = {0, 7, 8, len(good_png) - 1}
    for off, _, _ in chunks(good_png):
        cuts |= {off - 1, off, off + 1, off + 8}
    cuts |= {rng.randrange(len(good_png)) for _ in range(10)}
    for c in sorted(x for x in cuts if 0 <= x < len(good_png)):
        out.append(("png", "cut%d" % c, good_png[:c], "png", "reject"))
    for i in range(40):
        b = bytearray(good_png)
        p = rng.randrange(len(b))
        b[p] ^= 1 << rng.randrange(8)
        out.append(("png", "flip@%d" % p, bytes(b), "png", "reject"))
    # Structurally odd but checksummed PNGs.
    for name, data, expect in [
        ("huge-2^31-1", png_with(2**31 - 1, 2**31 - 1, idat=zlib.compress(b"\0" * 100)), "reject"),
        ("65535x65535", png_with(65535, 65535, idat=zlib.compress(b"\0" * 100)), "reject"),
        ("zero-width", png_with(0, 10), "reject"),
        ("1x1000000", png_with(1, 1_000_000), "any"),
        ("16-bit", png_with(4, 4, depth=16, idat=zlib.compress(b"".join(b"\0" + b"\x80" * 8 for _ in range(4)))), "any"),
        ("palette-no-plte", png_with(4, 4, color=3), "reject"),
        ("bad-depth-3", png_with(4, 4, depth=3), "reject"),
        ("bad-color-5", png_with(4, 4, color=5), "reject"),
        ("interlaced-bad-data", png_with(4, 4, interlace=1), "any"),
        ("idat-short", png_with(8, 8, idat=zlib.compress(b"\0" * 10)), "reject"),
        ("idat-long", png_with(8, 8, idat=zlib.compress(b"\0" * 1000)), "any"),
        ("idat-bomb", png_with(8, 8, idat=zlib.compress(b"\0" * 50_000_000)), "reject"),
        ("idat-empty", png_with(8, 8, idat=b""), "reject"),
        ("ancillary-chunk", png_with(4, 4, extra=struct.pack(">I", 3) + b"teSt" + b"abc" +
                                     struct.pack(">I", zlib.crc32(b"teStabc"))), "accept"),
        ("two-ihdr", good_png[:33] + good_png[8:], "any"),
    ]:
        out.append(("png", name, data, "png", expect))
    # JPEG: cuts at every marker, random flips (no checksum: success is allowed, crashes are not), big SOF.
    markers = [i for i in range(len(JPEG) - 1) if JPEG[i] == 0xFF and JPEG[i + 1] not in (0, 0xFF)]
    for c in sorted({0, 2, 3, len(JPEG) - 2, len(JPEG) - 1} | set(markers) | {m + 4 for m in markers}):
        if c < len(JPEG):
            out.append(("jpeg", "cut%d" % c, JPEG[:c], "jpg", "any" if c >= len(JPEG) - 2 else "reject"))
    for i in range(40):
        b = bytearray(JPEG)
        p = rng.randrange(2, len(b))
        b[p] ^= 1 << rng.randrange(8)
        out.append(("jpeg", "flip@%d" % p, bytes(b), "jpg", "any"))
    sof = JPEG.index(b"\xff\xc0")
    for name, h, w in [("sof-65535", 65535, 65535), ("sof-0x0", 0, 0), ("sof-0x16", 0, 16), ("sof-1x65535", 1, 65535)]:
        b = bytearray(JPEG)
        b[sof + 5:sof + 9] = struct.pack(">HH", h, w)
        out.append(("jpeg", name, bytes(b), "jpg", "any" if h and w and h * w < 2**20 else "reject"))
    # BMP: cuts, header fields, flips.
    for c in (0, 2, 14, 20, 54, 60, len(good_bmp) - 1):
        out.append(("bmp", "cut%d" % c, good_bmp[:c], "bmp", "reject" if c < len(good_bmp) - 3 * 28 else "any"))
    fields = {"width": 18, "height": 22, "bpp": 28, "offset": 10, "compression": 30, "info-size": 14,
              "colors": 46}
    for name, off in fields.items():
        fmt = "<H" if name == "bpp" else "<i" if name in ("width", "height") else "<I"
        for v in ([0, -1, 2**31 - 1, -(2**31), 100_000] if fmt == "<i" else [0, 1, 7, 0xFFFF] if fmt == "<H"
                  else [0, 1, 2**31, 0xFFFFFFFF]):
            b = bytearray(good_bmp)
            b[off:off + struct.calcsize(fmt)] = struct.pack(fmt, v)
            out.append(("bmp", "%s=%d" % (name, v), bytes(b), "bmp", "any"))
    for i in range(10):
        b = bytearray(good_bmp)
        p = rng.randrange(len(b))
        b[p] ^= 1 << rng.randrange(8)
        out.append(("bmp", "flip@%d" % p, bytes(b), "bmp", "any"))
    # Other formats stb knows, and things that are no image at all.
    for name, data in [("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x00;"),
                       ("ppm", b"P6\n1 1\n255\n\x00\x00\x00"), ("pgm-huge", b"P5\n1000000 1000000\n255\n"),
                       ("pgm-negative", b"P5\n-1 -1\n255\n"), ("psd", b"8BPS" + b"\0" * 30),
                       ("hdr", b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1000000 +X 1000000\n"),
                       ("text", b"hello"), ("empty", b""), ("zeros", b"\0" * 4096)]:
        out.append(("image-other", name, data, "img", "any"))
    return out


def image_cases(ctx, rng):
    good_png = open(ctx.images["digit.png"], "rb").read()
    good_bmp = open(ctx.images["digit.bmp"], "rb").read()
    model = ctx.bases["mlp-adam"]["best"]
    cases = []
    for cat, name, data, ext, expect in image_mutants(rng, good_png, good_bmp):
        fname = "in." + ext

        def setup(d, data=data, fname=fname):
            with open(os.path.join(d, fname), "wb") as f:
                f.write(data)
        cmd = [ctx.nabla, "predict", "--model_fn", model, "--input", "{dir}/" + fname]
        if rng.random() < 0.2:
            cmd += ["--json"]
        cases.append(Case("img-" + cat, name, cmd, expect=expect, names=[fname], timeout=30, setup=setup,
                          check=_predict_check))
    # A few as members of an image-folder data set (train must refuse the bad file by name, or succeed).
    for cat, name, data, ext, expect in rng.sample(image_mutants(rng, good_png, good_bmp), 12):
        def setup(d, data=data, ext=ext):
            shutil.copytree(ctx.folder, os.path.join(d, "folder"))
            with open(os.path.join(d, "folder", "cat", "bad." + ext), "wb") as f:
                f.write(data)
        cmd = [ctx.nabla, "train", "--data", "imagefolder:{dir}/folder", "--model", "mlp", "--n_layers", "1",
               "--n_epochs", "1", "--batch_size", "8", "--logdir", "{dir}/run", "--model_fn", "{dir}/run/m.safetensors"]
        cases.append(Case("img-folder", cat + "/" + name, cmd, expect="any", names=["bad." + ext], timeout=60,
                          setup=setup))
    return cases


def _predict_check(r):
    if not ("%" in r.out or '"probability"' in r.out) or re.search(r"\bnan\b|\binf\b", r.out, re.I):
        return "predict output: %r" % r.out[:200]
    return None


# --- IDX ---------------------------------------------------------------------------------------------

def idx_mutants(rng, images, labels):
    """(name, which file, bytes, expect)."""
    out = []
    for c in sorted({0, 1, 3, 4, 8, 15, 16, 17, len(images) // 2, len(images) - 1}):
        out.append(("images-cut%d" % c, "images", images[:c], "reject"))
    for c in (0, 4, 7, 8, 9, len(labels) - 1):
        out.append(("labels-cut%d" % c, "labels", labels[:c], "reject"))
    for name, off, val in [("type-int8", 2, 0x09), ("type-short", 2, 0x0B), ("type-float", 2, 0x0D),
                           ("type-double", 2, 0x0E), ("type-bogus", 2, 0x42), ("rank-0", 3, 0), ("rank-1", 3, 1),
                           ("rank-4", 3, 4), ("rank-255", 3, 255), ("magic-nonzero", 0, 1)]:
        b = bytearray(images)
        b[off] = val
        out.append((name, "images", bytes(b), "reject"))
    for name, dim, val in [("n-zero", 0, 0), ("n-minus-1", 0, 199), ("n-plus-1", 0, 201), ("n-2^31", 0, 2**31),
                           ("n-2^32-1", 0, 2**32 - 1), ("rows-zero", 1, 0), ("rows-14", 1, 14), ("rows-56", 1, 56),
                           ("rows-2^31", 1, 2**31), ("cols-huge", 2, 2**32 - 1)]:
        b = bytearray(images)
        b[4 + 4 * dim:8 + 4 * dim] = struct.pack(">I", val)
        out.append((name, "images", bytes(b), "reject"))
    for name, v in [("label-10", 10), ("label-255", 255)]:
        b = bytearray(labels)
        b[8 + rng.randrange(len(labels) - 8)] = v
        out.append((name, "labels", bytes(b), "reject"))
    out.append(("labels-count-199", "labels", labels[:4] + struct.pack(">I", 199) + labels[8:-1], "reject"))
    out.append(("images-extra-byte", "images", images + b"\0", "reject"))
    for i in range(8):
        b = bytearray(images)
        p = rng.randrange(16, len(b))
        b[p] ^= 1 << rng.randrange(8)
        out.append(("pixel-flip@%d" % p, "images", bytes(b), "any"))  # IDX has no checksum: loads
    # gzip: valid (loads), truncated, flipped (CRC-32 catches it), a bomb, concatenated members, junk after.
    gz = gzip.compress(images)
    out.append(("gz-valid", "images.gz", gz, "accept"))
    for c in (0, 2, 10, len(gz) // 2, len(gz) - 4, len(gz) - 1):
        out.append(("gz-cut%d" % c, "images.gz", gz[:c], "reject"))
    for i in range(10):
        b = bytearray(gz)
        p = rng.randrange(10, len(b))
        b[p] ^= 1 << rng.randrange(8)
        out.append(("gz-flip@%d" % p, "images.gz", bytes(b), "reject"))
    bomb_header = images[:4] + struct.pack(">III", 200, 28, 28)
    out.append(("gz-bomb", "images.gz", gzip.compress(bomb_header + b"\0" * 300_000_000, 1), "reject"))
    out.append(("gz-two-members", "images.gz", gzip.compress(images[:100]) + gzip.compress(images[100:]), "any"))
    out.append(("gz-junk-after", "images.gz", gz + b"junk", "any"))
    out.append(("gz-of-garbage", "images.gz", gzip.compress(b"\x89PNG" * 100), "reject"))
    return out


def idx_cases(ctx, rng):
    raw = os.path.join(ctx.data_dir, "MNIST", "raw")
    images = open(os.path.join(raw, "t10k-images-idx3-ubyte"), "rb").read()
    labels = open(os.path.join(raw, "t10k-labels-idx1-ubyte"), "rb").read()
    cases = []
    for i, (name, which, data, expect) in enumerate(idx_mutants(rng, images, labels)):
        fname = {"images": "t10k-images-idx3-ubyte", "labels": "t10k-labels-idx1-ubyte",
                 "images.gz": "t10k-images-idx3-ubyte.gz"}[which]

        def setup(d, data=data, fname=fname):
            dst = os.path.join(d, "data", "MNIST", "raw")
            os.makedirs(dst)
            for f in os.listdir(raw):
                if not (fname.endswith(".gz") and f == fname[:-3]):
                    shutil.copy(os.path.join(raw, f), dst)
            with open(os.path.join(dst, fname), "wb") as f:
                f.write(data)
        # The test split feeds eval and train's final test; rotate between them.
        if i % 2 == 0:
            cmd = [ctx.nabla, "eval", "--model_fn", ctx.bases["mlp-adam"]["best"], "--data_dir", "{dir}/data"]
        else:
            cmd = [ctx.nabla, "train", "--data", "mnist", "--data_dir", "{dir}/data", "--n_layers", "1",
                   "--n_epochs", "1", "--logdir", "{dir}/run", "--model_fn", "{dir}/run/m.safetensors"]
        cases.append(Case("idx", name + ("/eval" if i % 2 == 0 else "/train"), cmd, expect=expect,
                          names=[fname.replace(".gz", "")], timeout=90, setup=setup))
    return cases
