#!/usr/bin/python3
"""Writes the checkpoint-loader test fixtures with real PyTorch (run with /usr/bin/python3, torch 1.13).

Outputs (next to this script):
  golden_expected.safetensors  contiguous copies of the four TCDecoder view tensors, the prompt
                               widened to float32, and LQ_proj_in conv2.bias (v1.0) widened
  golden_sums.txt              per golden model tensor: file, key, dtype, shape, float64 sum
  views.pth                    a dict of tensors that are views (offsets, strides, transposed,
                               expanded, shared storages) of several dtypes
  views_expected.safetensors   the same tensors, contiguous
  all_dtypes.pth               one tensor per dtype torch.save supports here
  wrapped_state_dict.pth       {'state_dict': {...}, 'epoch': 3}
  wrapped_model_state.pth      {'model_state': {...}}
  legacy.pth                   torch.save(..., _use_new_zipfile_serialization=False)
  with_set.pth                 a state dict with a Python set inside (outside the subset)
  big_endian.pth               views.pth rewritten with byteorder 'big' and byte-swapped storages
                               (python zipfile, so storages are also not 64-byte aligned)
  parameter.pth                a dict holding an nn.Parameter (_rebuild_parameter)
"""
import collections
import json
import os
import struct
import sys
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(os.environ.get("FVSR_SHARED_DIR", "/work/shared"), "golden", "models")

DTYPE_NAMES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def save_safetensors(path, tensors):
    """Minimal safetensors writer (the safetensors package is not installed here)."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        flat = t.contiguous().reshape(-1)
        if t.dtype == torch.bool:
            raw = flat.to(torch.uint8).numpy().tobytes()
        elif t.dtype == torch.bfloat16:
            raw = flat.view(torch.int16).numpy().tobytes()
        else:
            raw = flat.numpy().tobytes()
        header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def golden_files():
    return ["v1.1/diffusion_pytorch_model_streaming_dmd.safetensors", "v1.1/LQ_proj_in.ckpt",
            "v1.0/LQ_proj_in.ckpt", "v1.1/TCDecoder.ckpt", "v1.1/Wan2.1_VAE.pth",
            "v1.1/posi_prompt.pth"]


def load_golden(rel):
    path = os.path.join(GOLDEN, rel)
    if rel.endswith(".safetensors"):
        with open(path, "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            header = json.loads(f.read(n))
            data = f.read()
        out = {}
        rev = {v: k for k, v in DTYPE_NAMES.items()}
        for name, e in header.items():
            if name == "__metadata__":
                continue
            b, end = e["data_offsets"]
            out[name] = torch.frombuffer(bytearray(data[b:end]), dtype=rev[e["dtype"]]).reshape(e["shape"])
        return out
    obj = torch.load(path)
    return {"": obj} if isinstance(obj, torch.Tensor) else obj


def make_golden_expectations():
    # One line per tensor: file, key ("-" for a bare tensor), dtype, shape, float64 sum.
    with open(os.path.join(HERE, "golden_sums.txt"), "w") as f:
        for rel in golden_files():
            for k, v in load_golden(rel).items():
                shape = ",".join(str(d) for d in v.shape) or "-"
                f.write("%s\t%s\t%s\t%s\t%r\n" % (rel, k or "-", str(v.dtype).replace("torch.", ""),
                                                   shape, float(v.double().sum())))
    tc = load_golden("v1.1/TCDecoder.ckpt")
    prompt = load_golden("v1.1/posi_prompt.pth")[""]
    lq10 = load_golden("v1.0/LQ_proj_in.ckpt")
    expected = {k: tc[k].contiguous() for k in
                ["decoder.9.conv.weight", "decoder.22.weight", "decoder.24.weight", "decoder.10.weight"]}
    expected["posi_prompt_f32"] = prompt.float()
    expected["lq_v10_conv2.bias_f32"] = lq10["conv2.bias"].float()
    save_safetensors(os.path.join(HERE, "golden_expected.safetensors"), expected)


def make_views():
    g = torch.Generator().manual_seed(1234)
    base = torch.randn(10, 12, generator=g)
    big = torch.arange(0, 60, dtype=torch.int64)
    halves = torch.randn(4, 6, generator=g).to(torch.float16)
    bf = torch.randn(3, 5, generator=g).to(torch.bfloat16)
    views = collections.OrderedDict()
    views["transposed"] = base.t()                       # non-contiguous, shares base
    views["row_slice"] = base[3:7]                       # storage offset 36
    views["col_slice"] = base[:, 2:9:3]                  # offset 2, strides (12, 3)
    views["expanded"] = base[0:1, 0:4].expand(5, 4)      # stride 0
    views["scalar_from_storage"] = base[9, 11]           # 0-d view with offset 119
    views["long_tail"] = big[40:]                        # int64 view, offset 40
    views["long_strided"] = big[1::7]
    views["half_t"] = halves.t()[1:]
    views["bf16_view"] = bf[1:, ::2]
    views["empty"] = base[:0]
    torch.save(views, os.path.join(HERE, "views.pth"))
    save_safetensors(os.path.join(HERE, "views_expected.safetensors"),
                     {k: v.contiguous() for k, v in views.items()})
    return views


def make_all_dtypes():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(2, 3, generator=g) * 100
    sd = {
        "f64": x.double() / 7, "f32": x, "f16": x.half(), "bf16": x.bfloat16(),
        "i64": (x * 1e6).long(), "i32": x.int(), "i16": x.short(), "i8": (x / 2).char(),
        "u8": x.abs().byte(), "bool": x > 0,
    }
    torch.save(sd, os.path.join(HERE, "all_dtypes.pth"))
    save_safetensors(os.path.join(HERE, "all_dtypes_expected.safetensors"), sd)


def make_wrappers_and_unsupported():
    inner = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.ones(2)}
    torch.save({"state_dict": inner, "epoch": 3, "name": "x"},
               os.path.join(HERE, "wrapped_state_dict.pth"))
    torch.save({"model_state": inner}, os.path.join(HERE, "wrapped_model_state.pth"))
    torch.save({"w": torch.zeros(3)}, os.path.join(HERE, "legacy.pth"),
               _use_new_zipfile_serialization=False)
    torch.save({"w": torch.zeros(3), "tags": {1, 2}}, os.path.join(HERE, "with_set.pth"))
    torch.save({"p": torch.nn.Parameter(torch.full((2, 2), 0.5)), "t": torch.ones(1)},
               os.path.join(HERE, "parameter.pth"))


def make_big_endian():
    src = zipfile.ZipFile(os.path.join(HERE, "views.pth"))
    pkl = [n for n in src.namelist() if n.endswith("data.pkl")][0]
    root = pkl[: -len("data.pkl")]
    # Element size per storage entry, from the tensors that use it.
    elem = {}
    import pickle

    class Finder(pickle.Unpickler):
        def persistent_load(self, pid):
            elem[pid[2]] = {"FloatStorage": 4, "LongStorage": 8, "HalfStorage": 2,
                            "BFloat16Storage": 2}[pid[1].__name__]
            return pid
        def find_class(self, module, name):
            if module == "torch._utils":
                return lambda *a: None
            return super().find_class(module, name)
    Finder(src.open(pkl)).load()
    with zipfile.ZipFile(os.path.join(HERE, "big_endian.pth"), "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            rel = info.filename[len(root):]
            if rel == "byteorder":
                data = b"big"
            elif rel.startswith("data/"):
                size = elem[rel[len("data/"):]]
                data = b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))
            dst.writestr(info.filename, data)
        if root + "byteorder" not in src.namelist():
            dst.writestr(root + "byteorder", b"big")


def main():
    make_golden_expectations()
    make_views()
    make_all_dtypes()
    make_wrappers_and_unsupported()
    make_big_endian()


if __name__ == "__main__":
    sys.exit(main())
