package io.p2pcollab.core.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the golden fixtures of {@code src/test/resources/fixtures/} (shared with the JS SDK). */
public final class Fixtures {

  private Fixtures() {}

  /** The parsed fixture file {@code fixtures/<name>}. */
  public static JsonObject load(String name) {
    String path = "/fixtures/" + name;
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no fixture " + path);
      }
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The objects of the array {@code section} of fixture file {@code name}. */
  public static List<JsonObject> section(String name, String section) {
    JsonArray array = load(name).getAsJsonArray(section);
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement e : array) {
      out.add(e.getAsJsonObject());
    }
    return out;
  }
}
