package ram.model;

/**
 * An image network that counts the arithmetic of its forward pass, so that a benchmark can divide
 * it by time and compare with the engine's matmul peak. Counts are multiply-add FLOPs (2 per
 * multiply-add) of the matrix products and convolutions; elementwise work is left out.
 */
public interface FlopCounted {

  /** The text encoder's FLOPs for a prompt of {@code chars} symbols (begin token included) and {@code words} words. */
  long textFlops(int chars, int words);

  /** The rest of one sample's forward pass, given {@code contextTokens} text tokens to attend to. */
  long imageFlops(int contextTokens);

  /** One sample's whole forward pass: what a training step pays per item (a sampler pays the text once per batch). */
  default long forwardFlops(int chars, int words) {
    return textFlops(chars, words) + imageFlops(chars + words);
  }
}
