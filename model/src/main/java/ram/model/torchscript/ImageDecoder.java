package ram.model.torchscript;

import java.nio.file.Path;
import java.util.Arrays;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;

import ram.model.Devices;
import ram.model.OdeSampler;

/**
 * A frozen TorchScript decoder from a latent model's samples to RGB images {@code [B, 3, H, W]} in
 * [0, 1], so that image rewards score what a latent model makes. Images come back in the project's
 * image convention, [-1, 1] ({@code 2 rgb - 1}).
 */
final class ImageDecoder {

  private final Path file;
  private final int[] latentShape;
  private final int[] imageShape;

  ImageDecoder(Path file, int[] latentShape) {
    this.file = file;
    this.latentShape = latentShape;
    long[] shape;
    try {
      shape = decode(new float[Arrays.stream(latentShape).reduce(1, (a, b) -> a * b)], 1, null);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": as decoder, forward(latents " + Arrays.toString(OdeSampler.batchShape(1, latentShape))
          + ") failed: " + TorchScriptModules.firstLine(e), e);
    }
    if (shape.length != 4 || shape[1] != 3) {
      throw new IllegalArgumentException(file + ": as decoder, returned " + Arrays.toString(shape) + "; expected RGB images [B, 3, H, W]");
    }
    this.imageShape = new int[] {3, Math.toIntExact(shape[2]), Math.toIntExact(shape[3])};
  }

  int[] imageShape() {
    return imageShape.clone();
  }

  float[] decode(float[] latents, int count) {
    float[][] out = new float[1][];
    decode(latents, count, out);
    return out[0];
  }

  /** Decodes {@code count} latents; puts the images in {@code out[0]} when given; returns the output's shape. */
  private long[] decode(float[] latents, int count, float[][] out) {
    TorchScriptModules.Module module = TorchScriptModules.borrow(file, false, "", m -> {});
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try (NDManager manager = Devices.newManager();
        IValue in = IValue.from(TorchScriptModules.pt(manager.create(latents, new Shape(OdeSampler.batchShape(count, latentShape)))));
        IValue result = module.block().forward(in)) {
      NDArray rgb = result.toTensor((PtNDManager) manager);
      if (out != null) {
        out[0] = rgb.mul(2).sub(1).toFloatArray();
      }
      return rgb.getShape().getShape();
    } finally {
      JniUtils.setGradMode(grad);
      TorchScriptModules.giveBack(module);
    }
  }
}
