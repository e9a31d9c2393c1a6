"""A minimal PNG reader for tests (8-bit RGB/RGBA, not interlaced): enough to look inside a browser screenshot."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np


def decode(path: str | Path) -> np.ndarray:
    """Pixels as an array of shape (height, width, 3), alpha dropped."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + size]
        pos += 12 + size
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    assert header is not None, "no IHDR chunk"
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    prev = np.zeros(stride, dtype=np.int64)
    out = np.zeros((height, stride), dtype=np.uint8)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=y * (stride + 1) + 1).astype(np.int64)
        if kind == 0:
            cur = line
        elif kind == 1:  # Sub: a running sum per channel
            cur = np.cumsum(line.reshape(width, bpp), axis=0).reshape(-1) % 256
        elif kind == 2:  # Up
            cur = (line + prev) % 256
        else:  # Average and Paeth depend on the pixel just decoded: one byte at a time
            values, up = line.tolist(), prev.tolist()
            for i in range(stride):
                a = values[i - bpp] if i >= bpp else 0
                b = up[i]
                if kind == 3:
                    values[i] = (values[i] + (a + b) // 2) & 255
                    continue
                c = up[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                values[i] = (values[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            cur = np.array(values, dtype=np.int64)
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp)[:, :, :3]


def colour_count(pixels: np.ndarray, hex_colour: str) -> int:
    """How many pixels have exactly this colour (#rrggbb)."""
    r, g, b = bytes.fromhex(hex_colour.lstrip("#"))
    return int(((pixels[:, :, 0] == r) & (pixels[:, :, 1] == g) & (pixels[:, :, 2] == b)).sum())


def distinct_colours(pixels: np.ndarray) -> int:
    flat = pixels.reshape(-1, 3).astype(np.uint32)
    return int(np.unique(flat[:, 0] << 16 | flat[:, 1] << 8 | flat[:, 2]).size)
