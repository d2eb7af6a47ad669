"""The prompt tokenization of ram's image base (ram.model.CharTextEncoder), in TorchScript.

make_torchscript_base.py saves BaseTokenizer as models/torchscript/base/text_encoder.pt: ram gives it a
prompt's UTF-8 bytes (each + 1, 0 pads to text_length) and it returns what CharTextEncoder#tokenize and
LetterAttention#keyPlaces compute in Java, for the velocity module to read as cond [B, COND]:

  [SYMBOLS, +65)      the symbol of the begin token (1) and of each kept character (0: none)
  [IN_WORD, +65)      each token's place in its word, 0..11, or -1 outside a word
  [BAGS, +32 x 12)    the symbols of each word's first 12 characters, -1 for none (a word has >= 1)
  [IDS, +32 x 2)      each word's two hashed identity buckets, -1 for a quoted word or none
  [PLACE_BUMPS, +65 x 16)  each token's letter-place bumps (zero but for letters of quoted words)

The bytes become UTF-16 code units as Java strings hold them, and the first 64 units are kept; what is
a space and what a letter or digit is Java's own answer (Character.isWhitespace, isLetterOrDigit), asked
of the JDK when the file is written. Word identities hash the UTF-16 units with 32-bit FNV-1a, as Java.
"""
import math
import os
import subprocess
import tempfile
from typing import Final, List

import torch
from torch import nn, Tensor

MAX_CHARS = 64          # CharTextEncoder.MAX_CHARS
TOKENS = MAX_CHARS + 1  # the begin token and the kept characters
MAX_WORDS = MAX_CHARS // 2
VOCABULARY = 98
WORD_CHARS = 12
WORD_IDS = 1024
WORD_ID_GAIN = 10.0
PLACES = 16             # LetterAttention.PLACES
MASKED = -1e4
GROUPS = 8
CHANNEL_BLOCK = 16      # ConvOps.CHANNEL_BLOCK

# the layout of one prompt's cond: symbols, in-word positions, word bags, word identities, letter places
SYMBOLS = 0
IN_WORD = SYMBOLS + TOKENS
BAGS = IN_WORD + TOKENS
IDS = BAGS + MAX_WORDS * WORD_CHARS
PLACE_BUMPS = IDS + MAX_WORDS * 2
COND = PLACE_BUMPS + TOKENS * PLACES

JAVA_CLASSES = """
public class CharClasses {
  public static void main(String[] args) {
    StringBuilder out = new StringBuilder();
    for (int c = 0; c < 65536; c++) {
      out.append((Character.isWhitespace((char) c) ? 1 : 0) + (Character.isLetterOrDigit((char) c) ? 2 : 0));
    }
    System.out.print(out);
  }
}
"""


def java_char_classes():
    """Per UTF-16 code unit: bit 0 Character.isWhitespace, bit 1 Character.isLetterOrDigit, as the JDK says."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "CharClasses.java")
        with open(source, "w") as f:
            f.write(JAVA_CLASSES)
        text = subprocess.run(["java", source], check=True, capture_output=True, text=True).stdout
    assert len(text) == 65536
    return torch.tensor([int(ch) for ch in text], dtype=torch.uint8)


def sinusoid(position, dim):
    """TransformerOps.sinusoid: [sin(a f_i), cos(a f_i)], f_i = 10000^(-i/half), in double, then float."""
    half = dim // 2
    out = [0.0] * dim
    for i in range(half):
        angle = position * math.exp(-math.log(10000.0) * i / half)
        out[i] = math.sin(angle)
        out[half + i] = math.cos(angle)
    return out


def bumps(u):
    """LetterAttention.bumps: exp(-(u - (j + 0.5))^2 / 2) for the PLACES centres j."""
    out = []
    for j in range(PLACES):
        d = u - (j + 0.5)
        out.append(math.exp(-d * d / 2))
    return out


class Layout(nn.Module):
    """The constants above as TorchScript constants (a scripted function cannot read Python globals)."""

    max_chars: Final[int] = MAX_CHARS
    tokens: Final[int] = TOKENS
    max_words: Final[int] = MAX_WORDS
    vocabulary: Final[int] = VOCABULARY
    word_chars: Final[int] = WORD_CHARS
    word_ids: Final[int] = WORD_IDS
    word_id_gain: Final[float] = WORD_ID_GAIN
    places: Final[int] = PLACES
    masked: Final[float] = MASKED
    symbols_at: Final[int] = SYMBOLS
    in_word_at: Final[int] = IN_WORD
    bags_at: Final[int] = BAGS
    ids_at: Final[int] = IDS
    places_at: Final[int] = PLACE_BUMPS
    cond: Final[int] = COND


class BaseTokenizer(Layout):
    """Prompt bytes to CharTextEncoder's tokenization of the prompt, flattened to floats (see COND)."""

    def __init__(self, classes: Tensor):
        super().__init__()
        self.register_buffer("classes", classes)

    def forward(self, tokens: Tensor) -> Tensor:
        classes: List[int] = self.classes.long().tolist()
        rows: List[List[float]] = []
        for b in range(tokens.shape[0]):
            ids: List[int] = tokens[b].tolist()
            rows.append(self.tokenize(ids, classes))
        return torch.tensor(rows, dtype=torch.float32).reshape(tokens.shape[0], self.cond)

    def utf16(self, ids: List[int]) -> List[int]:
        """The UTF-16 code units of the bytes (token - 1) up to the padding; a sequence cut off at the end is dropped."""
        data: List[int] = []
        for v in ids:
            if v <= 0:
                break
            data.append(v - 1)
        units: List[int] = []
        i = 0
        while i < len(data):
            b0 = data[i]
            k = 1
            cp = b0
            if b0 >= 0xF0:
                k = 4
                cp = b0 & 0x07
            elif b0 >= 0xE0:
                k = 3
                cp = b0 & 0x0F
            elif b0 >= 0xC0:
                k = 2
                cp = b0 & 0x1F
            elif b0 >= 0x80:
                cp = 0xFFFD
            if i + k > len(data):
                break
            for j in range(1, k):
                cp = (cp << 6) | (data[i + j] & 0x3F)
            i += k
            if cp >= 0x10000:
                cp -= 0x10000
                units.append(0xD800 + (cp >> 10))
                units.append(0xDC00 + (cp & 0x3FF))
            else:
                units.append(cp)
        return units

    def symbol(self, c: int) -> int:
        if c >= 32 and c <= 126:
            return c - 30
        return self.vocabulary - 1

    def tokenize(self, ids: List[int], classes: List[int]) -> List[float]:
        s = self.utf16(ids)
        kept = s[:self.max_chars]
        row: List[float] = [0.0] * self.cond
        for i in range(self.in_word_at, self.places_at):
            row[i] = -1.0
        row[self.symbols_at] = 1.0
        for i in range(len(kept)):
            row[self.symbols_at + 1 + i] = float(self.symbol(kept[i]))
        # CharTextEncoder.wordSpans: runs of characters that are not whitespace
        starts: List[int] = []
        ends: List[int] = []
        i = 0
        while i < len(kept):
            while i < len(kept) and (classes[kept[i]] & 1) != 0:
                i += 1
            start = i
            while i < len(kept) and (classes[kept[i]] & 1) == 0:
                i += 1
            if i > start:
                starts.append(start)
                ends.append(i)
        for k in range(len(starts)):
            word = kept[starts[k]:ends[k]]
            quoted = 34 in word
            if not quoted:  # CharTextEncoder.wordIds: FNV-1a over the UTF-16 code units, 32-bit
                h = 0x811C9DC5
                for c in word:
                    h = ((h ^ c) * 0x01000193) & 0xFFFFFFFF
                row[self.ids_at + 2 * k] = float(h & (self.word_ids - 1))
                row[self.ids_at + 2 * k + 1] = float((h >> 10) & (self.word_ids - 1))
            for j in range(len(word)):
                row[self.in_word_at + 1 + starts[k] + j] = float(min(j, self.word_chars - 1))
                if j < self.word_chars:
                    row[self.bags_at + k * self.word_chars + j] = float(self.symbol(word[j]))
            if quoted:  # CharTextEncoder.letterPlaces, as LetterAttention.keyPlaces's bumps
                letters = 0
                for c in word:
                    if (classes[c] & 2) != 0:
                        letters += 1
                q = 0
                for j in range(len(word)):
                    if (classes[word[j]] & 2) != 0:
                        u = (q + 0.5) / letters * self.places
                        q += 1
                        offset = self.places_at + (1 + starts[k] + j) * self.places
                        for p in range(self.places):
                            d = u - (p + 0.5)
                            row[offset + p] = math.exp(-d * d / 2)
        return row
