package ram.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import org.junit.jupiter.api.Test;

import ram.runners.cli.Main;

/** The probes run through {@code experiments/run}, not {@code ./ram}; an unknown probe is named. */
class ExperimentsTest {

  @Test
  void theProbesAreExperimentsCommandsAndNotProductOnes() {
    for (String probe : new String[] {"gradients", "renoise"}) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      assertEquals(2, Main.run(new String[] {probe}, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true)));
      assertTrue(err.toString().contains("unknown command '" + probe + "'"), err.toString());
      ByteArrayOutputStream help = new ByteArrayOutputStream();
      assertEquals(0, Experiments.run(new String[] {"help"}, new PrintStream(help, true), new PrintStream(new ByteArrayOutputStream(), true)));
      assertTrue(help.toString().contains("\n  " + probe + " "), help.toString());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, Experiments.run(new String[] {"faces"}, new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true)));
    assertEquals("error: unknown probe 'faces'; probes: gradients, renoise, help", err.toString().strip());
  }
}
