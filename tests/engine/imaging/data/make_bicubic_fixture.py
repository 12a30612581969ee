#!/usr/bin/env python3
"""Writes bicubic_odd_sizes.safetensors: PyTorch's F.interpolate(mode="bicubic",
align_corners=False) on float32 for sizes whose scale is not a power of two (up and down), where
the weights are not exact binary fractions. Regenerate with the system torch:
    /usr/bin/python3 tests/engine/imaging/data/make_bicubic_fixture.py
Tensors: case{k}.input [3, h, w] and case{k}.output [3, H, W], float32 (CHW)."""
import json
import pathlib
import struct

import torch

CASES = [((23, 37), (61, 150)), ((41, 53), (19, 29)), ((9, 100), (31, 7))]


def main():
    gen = torch.Generator().manual_seed(1234)
    tensors = {}
    for k, ((h, w), (oh, ow)) in enumerate(CASES):
        x = torch.rand((1, 3, h, w), generator=gen, dtype=torch.float32)
        y = torch.nn.functional.interpolate(x, size=(oh, ow), mode="bicubic", align_corners=False)
        tensors[f"case{k}.input"] = x[0].contiguous()
        tensors[f"case{k}.output"] = y[0].contiguous()
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        data = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    out = pathlib.Path(__file__).with_name("bicubic_odd_sizes.safetensors")
    out.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    print(out, torch.__version__)


if __name__ == "__main__":
    main()
