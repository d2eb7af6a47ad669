#!/usr/bin/python3
"""Writes the small ONNX models that the tests of the onnx reward (docs/your-reward.md) score with.

Run once by a developer with the distribution's PyTorch (Debian: apt-get install python3-torch; run
this file with /usr/bin/python3). Tests and CI load the committed .onnx files and need no Python.
Each model computes a known function of its input, so a test computes the expected score by hand.

  rewards/src/test/resources/onnx/red_mean.onnx    image [B, 3, H, W] float (B, H, W dynamic) ->
                                                   score [B] = mean of channel 0,
                                                   green [B, 1] = mean of channel 1
  rewards/src/test/resources/onnx/image_text.onnx  image [B, 3, H, W], tokens [B, L] int64 (B, H, W, L
                                                   dynamic) -> score [B] = mean of channel 0
                                                   + 0.01 * number of non-zero tokens
  rewards/src/test/resources/onnx/fixed_16.onnx    image [1, 3, 16, 16] (all fixed) -> score [1] =
                                                   mean of channel 0
  rewards/src/test/resources/onnx/wrong_rank.onnx  features [B, 10] -> score [B] = their sum
"""
import os

import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "rewards", "src", "test", "resources", "onnx")


class RedMean(nn.Module):
    def forward(self, image):
        return image[:, 0].mean(dim=(1, 2)), image[:, 1].mean(dim=(1, 2)).unsqueeze(1)


class ImageText(nn.Module):
    def forward(self, image, tokens):
        return image[:, 0].mean(dim=(1, 2)) + 0.01 * (tokens > 0).sum(dim=1).to(torch.float32)


class FeatureSum(nn.Module):
    def forward(self, features):
        return features.sum(dim=1)


def export(module, inputs, input_names, output_names, dynamic, name):
    path = os.path.join(OUT, name)
    torch.onnx.export(module, inputs, path, input_names=input_names, output_names=output_names,
                      dynamic_axes=dynamic, opset_version=13)
    print("wrote", os.path.relpath(path, ROOT))


def main():
    os.makedirs(OUT, exist_ok=True)
    image = torch.zeros(2, 3, 8, 8)
    export(RedMean(), (image,), ["image"], ["score", "green"],
           {"image": {0: "batch", 2: "height", 3: "width"}, "score": {0: "batch"}, "green": {0: "batch"}}, "red_mean.onnx")
    tokens = torch.ones(2, 5, dtype=torch.int64)
    export(ImageText(), (image, tokens), ["image", "tokens"], ["score"],
           {"image": {0: "batch", 2: "height", 3: "width"}, "tokens": {0: "batch", 1: "length"}, "score": {0: "batch"}},
           "image_text.onnx")
    export(RedMean(), (torch.zeros(1, 3, 16, 16),), ["image"], ["score", "green"], None, "fixed_16.onnx")
    export(FeatureSum(), (torch.zeros(2, 10),), ["features"], ["score"],
           {"features": {0: "batch"}, "score": {0: "batch"}}, "wrong_rank.onnx")


if __name__ == "__main__":
    main()
