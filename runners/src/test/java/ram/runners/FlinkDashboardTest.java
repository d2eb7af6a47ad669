package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import ram.runners.cluster.EmbeddedFlinkCluster;

/**
 * The embedded cluster serves Flink's web dashboard: real HTTP requests over loopback get the
 * dashboard's page and the REST answers it is drawn from, and its jar upload is switched off.
 */
class FlinkDashboardTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theEmbeddedClusterServesTheDashboardOnLoopback() throws Exception {
    try (EmbeddedFlinkCluster cluster = EmbeddedFlinkCluster.start(2)) {
      String url = cluster.dashboardUrl();
      assertTrue(url.startsWith("http://127.0.0.1:"), url);

      HttpResponse<String> page = get(url);
      assertEquals(200, page.statusCode(), page.body());
      assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers().toString());
      assertTrue(page.body().contains("<title>Apache Flink Web Dashboard</title>"), page.body());

      HttpResponse<String> overview = get(url + "overview");
      assertEquals(200, overview.statusCode(), overview.body());
      JsonObject o = JsonParser.parseString(overview.body()).getAsJsonObject();
      assertEquals("1.19.0", o.get("flink-version").getAsString());
      assertEquals(1, o.get("taskmanagers").getAsInt());
      assertEquals(2, o.get("slots-total").getAsInt());

      HttpResponse<String> config = get(url + "config");
      assertEquals(200, config.statusCode(), config.body());
      JsonObject features = JsonParser.parseString(config.body()).getAsJsonObject().getAsJsonObject("features");
      assertEquals(false, features.get("web-submit").getAsBoolean(), "jar upload is off: " + config.body());
      assertEquals(404, get(url + "jars").statusCode(), "no /jars endpoint");
    }
  }
}
