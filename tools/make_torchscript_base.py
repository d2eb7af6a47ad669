#!/usr/bin/python3
"""Writes the shipped image base (models/base, architecture unet-32px-c32-d128-t2-wi-la) as TorchScript.

Run once by a developer with the distribution's PyTorch (/usr/bin/python3) and a JDK on the PATH
(the character classes are Java's own); tests load the committed files and need no Python.

  models/torchscript/base/text_encoder.pt  prompt bytes [B, L] (int64, byte + 1, 0 pads) -> the
                                           prompt's tokenization as a float vector [B, 1618]
                                           (torchscript_base_tokenizer.py)
  models/torchscript/base/velocity.pt      forward(x_t [B, 3, 32, 32], t [B], cond [B, 1618]) -> v,
                                           with models/base's weights

The velocity module does everything after the tokenization (the text transformer, the U-Net, letter
attention, the DiT blocks) op for op as ram.model.UNetVelocityNetwork does, under the Java network's
parameter names but one: "in" is a keyword of TorchScript's serialized code, so the input convolution
is in_ (in_.weight, in_.bias). Use text_length 192 so that any 64 UTF-16 code units fit (3 bytes each
at most); 64 is enough for ASCII prompts.
"""
import math
import os
import sys

import torch
from torch import nn, Tensor
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torchscript_fixtures import read_ramp  # noqa: E402
from torchscript_base_tokenizer import (BaseTokenizer, Layout, java_char_classes, sinusoid, bumps,  # noqa: E402
                                        CHANNEL_BLOCK, PLACES, TOKENS, VOCABULARY, WORD_CHARS, WORD_IDS)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "models", "torchscript", "base")

class Linear(nn.Module):
    """x @ W + b, W stored [in, out] (TransformerOps.linear)."""

    def __init__(self, fan_in: int, fan_out: int):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(fan_in, fan_out))
        self.bias = nn.Parameter(torch.zeros(fan_out))

    def forward(self, x: Tensor) -> Tensor:
        return x.matmul(self.weight) + self.bias


class Conv(nn.Module):
    """ConvOps.conv: k x k, "same" padding; output channels short of a multiple of 16 are computed with zero filters and dropped."""

    def __init__(self, fan_in: int, fan_out: int, k: int, stride: int = 1):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(fan_out, fan_in, k, k))
        self.bias = nn.Parameter(torch.zeros(fan_out))
        self.stride = stride
        self.pad = k // 2
        self.out = fan_out
        self.missing = (-fan_out) % CHANNEL_BLOCK

    def forward(self, x: Tensor) -> Tensor:
        w = self.weight
        b = self.bias
        if self.missing > 0:
            w = torch.cat([w, torch.zeros(self.missing, w.shape[1], w.shape[2], w.shape[3], dtype=w.dtype)], 0)
            b = torch.cat([b, torch.zeros(self.missing, dtype=b.dtype)], 0)
        y = F.conv2d(x, w, b, [self.stride, self.stride], [self.pad, self.pad])
        if self.missing > 0:
            y = y[:, :self.out]
        return y


def layer_norm(x: Tensor, eps: float = 1e-6) -> Tensor:
    return F.layer_norm(x, [x.shape[-1]], eps=eps)


def group_norm(x: Tensor) -> Tensor:
    s = x.shape
    return layer_norm(x.reshape(s[0], 8, -1), 1e-5).reshape(s)  # 8 groups


def attend(q: Tensor, k: Tensor, v: Tensor, heads: int, mask: Tensor) -> Tensor:
    """TransformerOps.attend, returning [B, N, d]; mask [B, 1, 1, L] additive, or empty for none."""
    b, n, d = q.shape[0], q.shape[1], q.shape[2]
    l = k.shape[1]
    dh = d // heads
    qh = q.reshape(b, n, heads, dh).permute(0, 2, 1, 3)
    kh = k.reshape(b, l, heads, dh).permute(0, 2, 3, 1)
    vh = v.reshape(b, l, heads, dh).permute(0, 2, 1, 3)
    scores = qh.matmul(kh) * (1.0 / math.sqrt(dh))
    if mask.numel() > 0:
        scores = scores + mask
    return scores.softmax(-1).matmul(vh).permute(0, 2, 1, 3).reshape(b, n, d)


class SelfAttention(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.qkv = Linear(d, 3 * d)
        self.out = Linear(d, d)
        self.heads = heads

    def forward(self, x: Tensor, mask: Tensor) -> Tensor:
        q, k, v = self.qkv(x).chunk(3, 2)
        return self.out(attend(q, k, v, self.heads, mask))


class CrossAttention(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.q = Linear(d, d)
        self.kv = Linear(d, 2 * d)
        self.out = Linear(d, d)
        self.heads = heads

    def forward(self, x: Tensor, context: Tensor, mask: Tensor) -> Tensor:
        k, v = self.kv(context).chunk(2, 2)
        return self.out(attend(self.q(x), k, v, self.heads, mask))


class Mlp(nn.Module):
    def __init__(self, d: int, hidden: int):
        super().__init__()
        self.fc1 = Linear(d, hidden)
        self.fc2 = Linear(hidden, d)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class TextLayer(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.attn = SelfAttention(d, heads)
        self.mlp = Mlp(d, 4 * d)

    def forward(self, h: Tensor, mask: Tensor) -> Tensor:
        h = h + self.attn(layer_norm(h), mask)
        return h + self.mlp(layer_norm(h))


class Text(Layout):
    """CharTextEncoder#encode from the tokenizer's output: characters, then words, two layers, layer norm."""

    def __init__(self, d: int, layers: int, heads: int):
        super().__init__()
        self.embedding = nn.Parameter(torch.zeros(VOCABULARY, d))
        self.in_word = nn.Parameter(torch.zeros(WORD_CHARS, d))
        self.word = nn.Parameter(torch.zeros(VOCABULARY * WORD_CHARS, d))
        self.word_id = nn.Parameter(torch.zeros(WORD_IDS, d))
        assert layers == 2, "the port names two text layers, layer0 and layer1, as the Java network does"
        self.layer0 = TextLayer(d, heads)
        self.layer1 = TextLayer(d, heads)
        positions = [sinusoid(i, d) for i in range(TOKENS)]
        self.register_buffer("positions", torch.tensor(positions, dtype=torch.float64).float())
        self.register_buffer("bag_places", torch.arange(WORD_CHARS))

    def forward(self, symbols: Tensor, in_word: Tensor, bags: Tensor, ids: Tensor, mask: Tensor) -> Tensor:
        chars = F.one_hot(symbols, self.vocabulary).float().matmul(self.embedding) + self.positions[:symbols.shape[1]].unsqueeze(0)
        placed = F.one_hot(in_word.clamp(min=0), self.word_chars).float() * (in_word >= 0).float().unsqueeze(-1)
        chars = chars + placed.matmul(self.in_word)
        b, w = bags.shape[0], bags.shape[1]
        bag_index = bags.clamp(min=0) * self.word_chars + self.bag_places
        bag = torch.zeros(b, w, self.vocabulary * self.word_chars).scatter_add(2, bag_index, (bags >= 0).float())
        identity = torch.zeros(b, w, self.word_ids).scatter_add(2, ids.clamp(min=0), (ids >= 0).float() * self.word_id_gain)
        words = bag.matmul(self.word) + identity.matmul(self.word_id)
        h = torch.cat([chars, words], 1)
        h = self.layer1(self.layer0(h, mask), mask)
        return layer_norm(h)


def silu(x: Tensor) -> Tensor:
    return x * torch.sigmoid(x)


class Time(nn.Module):
    def __init__(self, features: int, d: int):
        super().__init__()
        self.fc1 = Linear(features, d)
        self.fc2 = Linear(d, d)
        half = features // 2
        freqs = [1000.0 * math.exp(-math.log(10000.0) * i / half) for i in range(half)]
        self.register_buffer("frequencies", torch.tensor(freqs, dtype=torch.float64).float())

    def forward(self, t: Tensor) -> Tensor:
        angles = t.reshape(-1, 1) * self.frequencies.unsqueeze(0)
        return self.fc2(silu(self.fc1(torch.cat([angles.sin(), angles.cos()], 1))))


class LetterAttention(Layout):
    """LetterAttention#apply at a 16 x 16 map: query places by column, key places by quoted letter."""

    def __init__(self, channels: int, context: int, grid: int):
        super().__init__()
        self.q = Linear(channels, channels)
        self.kv = Linear(context, 2 * channels)
        self.qplace = nn.Parameter(torch.zeros(PLACES, channels))
        self.kplace = nn.Parameter(torch.zeros(PLACES, channels))
        self.out = Linear(channels, channels)
        self.heads = max(1, channels // 32)
        columns = [bumps((col + 0.5) / grid * PLACES) for row in range(grid) for col in range(grid)]
        self.register_buffer("columns", torch.tensor(columns, dtype=torch.float64).float())

    def forward(self, x: Tensor, context: Tensor, places: Tensor, mask: Tensor) -> Tensor:
        b, c, g = x.shape[0], x.shape[1], x.shape[2]
        h = x.reshape(b, c, g * g).permute(0, 2, 1)
        q = self.q(layer_norm(h)) + self.columns.unsqueeze(0).matmul(self.qplace)
        k, v = self.kv(context).chunk(2, 2)
        k = k + places.matmul(self.kplace)
        o = attend(q, k, v, self.heads, mask)
        return (h + self.out(o)).permute(0, 2, 1).reshape(b, c, g, g)


class ResBlock(nn.Module):
    """skip(x) + conv2(silu(modulate(norm(conv1(silu(norm(x))))))), modulated per channel by the conditioning."""

    def __init__(self, fan_in: int, fan_out: int, cond: int):
        super().__init__()
        self.conv1 = Conv(fan_in, fan_out, 3)
        self.cond = Linear(cond, 2 * fan_out)
        self.conv2 = Conv(fan_out, fan_out, 3)
        self.skip = Conv(fan_in, fan_out, 1) if fan_in != fan_out else nn.Identity()

    def forward(self, x: Tensor, condition: Tensor) -> Tensor:
        h = self.conv1(silu(group_norm(x)))
        shift, scale = self.cond(condition).chunk(2, 1)
        h = group_norm(h) * (scale[:, :, None, None] + 1.0) + shift[:, :, None, None]
        h = self.conv2(silu(h))
        return self.skip(x) + h


class DitBlock(nn.Module):
    """TransformerOps.ditBlock: adaLN-Zero self-attention, cross-attention to the prompt, adaLN-Zero MLP."""

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.adaln = Linear(d, 6 * d)
        self.attn = SelfAttention(d, heads)
        self.cross = CrossAttention(d, heads)
        self.mlp = Mlp(d, 4 * d)

    def forward(self, h: Tensor, condition: Tensor, context: Tensor, mask: Tensor) -> Tensor:
        mod = self.adaln(condition).unsqueeze(1).chunk(6, 2)
        a = layer_norm(h) * (mod[1] + 1.0) + mod[0]
        h = h + mod[2] * self.attn(a, torch.zeros(0))
        h = h + self.cross(layer_norm(h), context, mask)
        m = layer_norm(h) * (mod[4] + 1.0) + mod[3]
        return h + mod[5] * self.mlp(m)


class BaseVelocity(Layout):
    """UNetVelocityNetwork with Config BASE_LETTERS (c 32, width 128, 2 DiT blocks, 4 heads, 2 text layers, letter attention)."""

    def __init__(self, c: int = 32, d: int = 128, blocks: int = 2, heads: int = 4, text_layers: int = 2, time_features: int = 128):
        super().__init__()
        self.text = Text(d, text_layers, heads)
        self.time = Time(time_features, d)
        self.prompt_pool = Linear(d, d)
        self.in_ = Conv(3, c, 3)  # the Java network's "in": a keyword that TorchScript's serialized code cannot name
        self.enc1 = ResBlock(c, c, d)
        self.down1 = Conv(c, 2 * c, 3, 2)
        self.enc2 = ResBlock(2 * c, 2 * c, d)
        self.enc2.letters = LetterAttention(2 * c, d, 16)
        self.dec2 = ResBlock(4 * c, 2 * c, d)
        self.dec2.letters = LetterAttention(2 * c, d, 16)
        self.down2 = Conv(2 * c, d, 3, 2)
        self.mid = ResBlock(d, d, d)
        assert blocks == 2, "the port names two DiT blocks, block0 and block1, as the Java network does"
        self.block0 = DitBlock(d, heads)
        self.block1 = DitBlock(d, heads)
        self.up2 = Conv(d, 2 * c, 3)
        self.up1 = Conv(2 * c, c, 3)
        self.dec1 = ResBlock(2 * c, c, d)
        self.out = Conv(c, 3, 3)
        grid = 8
        positions = [sinusoid(r, d // 2) + sinusoid(col, d // 2) for r in range(grid) for col in range(grid)]
        self.register_buffer("positions", torch.tensor(positions, dtype=torch.float64).float())

    def forward(self, x: Tensor, t: Tensor, cond: Tensor) -> Tensor:
        b = x.shape[0]
        symbols = cond[:, self.symbols_at:self.in_word_at].long()
        chars = (symbols > 0).sum(1)
        length = int(chars.max())
        bags = cond[:, self.bags_at:self.ids_at].long().reshape(b, self.max_words, self.word_chars)
        present = bags[:, :, 0] >= 0
        words = max(1, int(present.sum(1).max()))
        present = present[:, :words]
        in_word = cond[:, self.in_word_at:self.in_word_at + length].long()
        ids = cond[:, self.ids_at:self.places_at].long().reshape(b, self.max_words, 2)[:, :words]
        kept = torch.cat([torch.arange(length).unsqueeze(0) < chars.unsqueeze(1), present], 1)
        mask = torch.where(kept, 0.0, self.masked).reshape(b, 1, 1, length + words)
        pool = torch.cat([torch.arange(length).unsqueeze(0).expand(b, length) == 0, present], 1).float().unsqueeze(-1)
        context = self.text(symbols[:, :length], in_word, bags[:, :words], ids, mask)
        pooled = (context * pool).sum(1) / pool.sum(1)
        condition = silu(self.time(t) + self.prompt_pool(pooled))
        places = cond[:, self.places_at:].reshape(b, self.tokens, self.places)[:, :length]
        places = torch.cat([places, torch.zeros(b, words, self.places)], 1)

        h1 = self.enc1(self.in_(x), condition)
        h2 = self.enc2(self.down1(h1), condition)
        h2 = self.enc2.letters(h2, context, places, mask)
        h3 = self.mid(self.down2(h2), condition)
        d, g = h3.shape[1], h3.shape[2]
        h = h3.reshape(b, d, g * g).permute(0, 2, 1) + self.positions.unsqueeze(0)
        h = self.block0(h, condition, context, mask)
        h = self.block1(h, condition, context, mask)
        h3 = h.permute(0, 2, 1).reshape(b, d, g, g)
        u2 = self.up2(h3).repeat_interleave(2, 2).repeat_interleave(2, 3)
        u2 = self.dec2.letters(u2, context, places, mask)
        u2 = self.dec2(torch.cat([u2, h2], 1), condition)
        u1 = self.up1(u2).repeat_interleave(2, 2).repeat_interleave(2, 3)
        u1 = self.dec1(torch.cat([u1, h1], 1), condition)
        return self.out(silu(group_norm(u1)))


def port_name(name):
    """The port's name of a Java parameter: the same, but in_.* for in.*."""
    return "in_" + name[2:] if name.startswith("in.") else name


def main():
    os.makedirs(OUT, exist_ok=True)
    base = read_ramp(os.path.join(ROOT, "models", "base", "theta.params"))
    velocity = BaseVelocity()
    base = {port_name(name): value for name, value in base.items()}
    names = [name for name, _ in velocity.named_parameters()]
    assert sorted(names) == sorted(base), (set(names) ^ set(base))
    with torch.no_grad():
        for name, parameter in velocity.named_parameters():
            assert parameter.shape == base[name].shape, name
            parameter.copy_(base[name])
    torch.jit.script(velocity.eval()).save(os.path.join(OUT, "velocity.pt"))
    torch.jit.script(BaseTokenizer(java_char_classes())).save(os.path.join(OUT, "text_encoder.pt"))


if __name__ == "__main__":
    main()
