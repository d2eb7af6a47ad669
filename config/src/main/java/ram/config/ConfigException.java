package ram.config;

/** A bad config, override or command line: the message names the file, key or argument and what was expected. */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
