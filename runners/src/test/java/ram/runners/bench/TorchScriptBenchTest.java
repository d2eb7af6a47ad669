package ram.runners.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import ram.model.ParameterSet;
import ram.model.UNetVelocityNetwork;

/**
 * How {@code ram bench model} recognises a TorchScript module as a port of a built-in network: by its
 * trained parameters' names and shapes, with PyTorch's trailing underscore on a name that is a Python keyword.
 */
class TorchScriptBenchTest {

  /** The U-Net base's layout as a PyTorch port names it ({@code in_} for {@code in}), with values that tell tensors apart. */
  static ParameterSet portLayout() {
    ParameterSet builtIn = new UNetVelocityNetwork(UNetVelocityNetwork.BASE_LETTERS).initialize(0);
    ParameterSet port = new ParameterSet();
    for (String name : builtIn.names()) {
      float[] values = new float[builtIn.get(name).length];
      values[0] = name.hashCode();
      port.put(name.startsWith("in.") ? "in_" + name.substring(2) : name, builtIn.shape(name), values);
    }
    return port;
  }

  @Test
  void aKeywordSegmentLosesItsUnderscoreAndNothingElseChanges() {
    assertEquals("in.weight", TorchScriptBench.builtInName("in_.weight"));
    assertEquals("block0.lambda.bias", TorchScriptBench.builtInName("block0.lambda_.bias"));
    assertEquals("text.in_word", TorchScriptBench.builtInName("text.in_word"));
    assertEquals("out.weight", TorchScriptBench.builtInName("out.weight"));
    assertEquals("mid_.conv1.weight", TorchScriptBench.builtInName("mid_.conv1.weight"), "not a keyword");
  }

  @Test
  void aPortIsFoundByItsLayoutAndGetsItsOwnWeightsInTheBuiltInNames() {
    ParameterSet port = portLayout();
    UNetVelocityNetwork network = (UNetVelocityNetwork) TorchScriptBench.portOf(port, new int[] {3, 32, 32});
    assertEquals(UNetVelocityNetwork.BASE_LETTERS, network.config());
    ParameterSet weights = TorchScriptBench.builtInWeights(port, network);
    assertEquals(network.initialize(0).names(), weights.names(), "the network's order");
    assertArrayEquals(port.get("in_.weight"), weights.get("in.weight"));
    assertArrayEquals(port.get("block1.mlp.fc2.bias"), weights.get("block1.mlp.fc2.bias"));
    assertNull(TorchScriptBench.portOf(port, new int[] {4, 8, 8}), "another sample shape");
    port.put("lora.extra", new int[] {1}, new float[1]);
    assertNull(TorchScriptBench.portOf(port, new int[] {3, 32, 32}), "a parameter the built-in network lacks");
  }
}
