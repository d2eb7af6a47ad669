#!/usr/bin/python3
"""Writes the TorchScript models that ram's tests and docs/your-model.md use.

Run once by a developer with the distribution's PyTorch (Debian: apt-get install python3-torch; run
this file with /usr/bin/python3). Tests and CI load the committed .pt files and need no Python.

  models/torchscript/ring.pt            2-D ring velocity MLP, the shipped toy base's architecture and
                                        weights (read from models/toy2d/base/theta.params)
  models/torchscript/image/velocity.pt  latent velocity network [4, 8, 8], conditioned on a vector
  models/torchscript/image/text_encoder.pt  prompt bytes [B, L] (int64, byte + 1, 0 = padding) -> [B, 32]
  models/torchscript/image/decoder.pt   latents [B, 4, 8, 8] -> RGB images [B, 3, 32, 32] in [0, 1]
  models/torchscript/image/embeddings.safetensors  the text encoder's output for each prompt of
                                        prompts/geneval/*.jsonl and the empty prompt, keyed by prompt

Every module follows ram's flow convention: x_t = (1 - t) x + t eps, v = eps - x, t in [0, 1].
"""
import json
import math
import os
import struct

import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "models", "torchscript")


def read_ramp(path):
    """Reads ram's own parameter file (magic RAMP, count, then name, rank, dims, big-endian floats)."""
    with open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">ii", data[:8])
    assert magic == 0x52414D50, path
    pos, params = 8, {}
    for _ in range(count):
        (n,) = struct.unpack(">H", data[pos:pos + 2])
        name = data[pos + 2:pos + 2 + n].decode("utf-8")
        pos += 2 + n
        (rank,) = struct.unpack(">i", data[pos:pos + 4])
        shape = list(struct.unpack(">" + "i" * rank, data[pos + 4:pos + 4 + 4 * rank]))
        pos += 4 + 4 * rank
        size = math.prod(shape)
        values = struct.unpack(">" + "f" * size, data[pos:pos + 4 * size])
        pos += 4 * size
        params[name] = torch.tensor(values, dtype=torch.float32).reshape(shape)
    return params


class Linear(nn.Module):
    """y = x W + b with W stored [in, out], as ram's built-in networks store it."""

    def __init__(self, fan_in: int, fan_out: int):
        super().__init__()
        bound = 1.0 / math.sqrt(fan_in)
        self.weight = nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(fan_out).uniform_(-bound, bound))

    def forward(self, x):
        return x @ self.weight + self.bias


class RingVelocity(nn.Module):
    """The 2-D ring MLP: [x, sin(2^k pi t), cos(2^k pi t)] (k = 0..7) -> 128 -> 128 -> 128 -> 2, SiLU."""

    def __init__(self):
        super().__init__()
        self.linear0 = Linear(18, 128)
        self.linear1 = Linear(128, 128)
        self.linear2 = Linear(128, 128)
        self.linear3 = Linear(128, 2)
        self.register_buffer("frequencies", torch.tensor([(2.0 ** k) * math.pi for k in range(8)]))

    def forward(self, x, t, cond):
        angles = t.reshape(-1, 1) * self.frequencies.reshape(1, -1)
        h = torch.cat([x, torch.sin(angles), torch.cos(angles)], dim=1)
        h = nn.functional.silu(self.linear0(h))
        h = nn.functional.silu(self.linear1(h))
        h = nn.functional.silu(self.linear2(h))
        return self.linear3(h)


class TextEncoder(nn.Module):
    """Prompt bytes to a vector: a byte embedding, mean over the non-padding positions, one layer."""

    def __init__(self, width: int = 32):
        super().__init__()
        self.embedding = nn.Embedding(257, width, padding_idx=0)
        self.project = nn.Linear(width, width)

    def forward(self, tokens):
        mask = (tokens > 0).float().unsqueeze(-1)
        pooled = (self.embedding(tokens) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return torch.tanh(self.project(pooled))


class LatentVelocity(nn.Module):
    """A small convolutional velocity field on [4, 8, 8] latents, modulated by time and the prompt vector."""

    def __init__(self, channels: int = 32, cond_width: int = 32):
        super().__init__()
        self.conv_in = nn.Conv2d(4, channels, 3, padding=1)
        self.film = nn.Linear(cond_width + 16, 2 * channels)
        self.conv_mid = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv_out = nn.Conv2d(channels, 4, 3, padding=1)
        self.register_buffer("frequencies", torch.tensor([(2.0 ** k) * math.pi for k in range(8)]))

    def forward(self, x, t, cond):
        angles = t.reshape(-1, 1) * self.frequencies.reshape(1, -1)
        context = torch.cat([cond, torch.sin(angles), torch.cos(angles)], dim=1)
        scale, shift = self.film(context).chunk(2, dim=1)
        h = nn.functional.silu(self.conv_in(x))
        h = h * (1 + scale[:, :, None, None]) + shift[:, :, None, None]
        h = nn.functional.silu(self.conv_mid(h))
        return self.conv_out(h)


class Decoder(nn.Module):
    """Latents [B, 4, 8, 8] to RGB [B, 3, 32, 32] in [0, 1]: two 2x upsamplings and a sigmoid."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(4, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 3, 3, padding=1)

    def forward(self, z):
        h = nn.functional.interpolate(z, scale_factor=2.0, mode="nearest")
        h = nn.functional.silu(self.conv1(h))
        h = nn.functional.interpolate(h, scale_factor=2.0, mode="nearest")
        return torch.sigmoid(self.conv2(h))


def prompt_tokens(prompt: str, length: int = 64):
    ids = [b + 1 for b in prompt.encode("utf-8")][:length]
    return ids + [0] * (length - len(ids))


def write_safetensors(tensors, path):
    """The safetensors layout: 8-byte little-endian header length, JSON header, raw little-endian F32 data."""
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        raw = tensor.contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def main():
    torch.manual_seed(0)
    os.makedirs(os.path.join(OUT, "image"), exist_ok=True)

    ring = RingVelocity()
    base = read_ramp(os.path.join(ROOT, "models", "toy2d", "base", "theta.params"))
    with torch.no_grad():
        for name, parameter in ring.named_parameters():
            parameter.copy_(base[name])
    torch.jit.script(ring).save(os.path.join(OUT, "ring.pt"))

    encoder = TextEncoder()
    torch.jit.script(encoder).save(os.path.join(OUT, "image", "text_encoder.pt"))
    torch.jit.script(LatentVelocity()).save(os.path.join(OUT, "image", "velocity.pt"))
    torch.jit.script(Decoder()).save(os.path.join(OUT, "image", "decoder.pt"))

    prompts = [""]
    for prompt_file in ("train.jsonl", "test.jsonl", "fixed8.jsonl"):
        with open(os.path.join(ROOT, "prompts", "geneval", prompt_file)) as f:
            for line in f:
                if line.strip():
                    prompts.append(json.loads(line)["prompt"])
    prompts = list(dict.fromkeys(prompts))
    with torch.no_grad():
        vectors = encoder(torch.tensor([prompt_tokens(p) for p in prompts], dtype=torch.int64))
    write_safetensors({p: vectors[i] for i, p in enumerate(prompts)}, os.path.join(OUT, "image", "embeddings.safetensors"))


if __name__ == "__main__":
    main()
