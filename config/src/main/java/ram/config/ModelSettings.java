package ram.config;

import java.io.Serializable;

/**
 * The network that is post-trained and the base it starts from.
 *
 * @param architecture the velocity network's architecture name
 * @param baseCheckpoint the base checkpoint as written in the config: the frozen reference and the starting policy
 * @param baseSha256 the SHA-256 the base's weights must have, or null where no pin is set
 */
public record ModelSettings(String architecture, String baseCheckpoint, String baseSha256) implements Serializable {}
