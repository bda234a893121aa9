"""Safetensors checkpoints as nabla writes them, for mutating (docs/io.md, "Checkpoints").

A Checkpoint keeps the parsed header (metadata + entries in file order) and the data buffer, and
writes it back with a *valid* checksum (CRC-32C of data || canonical header), so that a mutant gets past
the byte layer and reaches the validation above it.
"""
import json
import struct

_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    t = _TABLE
    for b in data:
        crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283

CHECKSUM_KEY = "nabla.checksum"


def dumps(value):
    # nlohmann::json's dump(): compact, raw UTF-8, the same escapes as Python for control characters.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Checkpoint:
    def __init__(self, raw):
        (n,) = struct.unpack("<Q", raw[:8])
        header = json.loads(raw[8 : 8 + n].decode("utf-8"))
        self.metadata = dict(header.pop("__metadata__", {}))
        # [name, dtype, shape, begin, end]
        self.entries = [[k, v["dtype"], list(v["shape"]), *v["data_offsets"]] for k, v in header.items()]
        self.entries.sort(key=lambda e: (e[3], e[4]))
        self.data = bytearray(raw[8 + n :])
        self._data_crc = None

    @classmethod
    def read(cls, path):
        with open(path, "rb") as f:
            return cls(f.read())

    def copy(self):
        c = Checkpoint.__new__(Checkpoint)
        c.metadata = dict(self.metadata)
        c.entries = [list(e) for e in self.entries]
        c.data = bytearray(self.data)
        c._data_crc = self._data_crc
        return c

    def entry(self, name):
        return next(e for e in self.entries if e[0] == name)

    def header_json(self, metadata):
        parts = []
        if metadata:
            parts.append('"__metadata__":' + dumps(dict(sorted(metadata.items()))))
        for name, dtype, shape, begin, end in self.entries:
            parts.append(dumps(name) + ":" + dumps({"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}))
        return "{" + ",".join(parts) + "}"

    def data_changed(self):
        self._data_crc = None

    def checksum(self):
        if self._data_crc is None:
            self._data_crc = crc32c(self.data)
        meta = {k: v for k, v in self.metadata.items() if k != CHECKSUM_KEY}
        canon = self.header_json(meta).encode("utf-8")
        return "crc32c:%08x" % crc32c(canon, self._data_crc)

    def to_bytes(self, fix_checksum=True, header_text=None):
        """The file; with fix_checksum the stored checksum matches the (mutated) contents."""
        if fix_checksum and CHECKSUM_KEY in self.metadata:
            self.metadata[CHECKSUM_KEY] = self.checksum()
        text = header_text if header_text is not None else self.header_json(self.metadata)
        h = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
        h += b" " * ((8 - len(h) % 8) % 8)
        return struct.pack("<Q", len(h)) + h + bytes(self.data)

    def header_len(self, raw):
        return struct.unpack("<Q", raw[:8])[0]
